import { createRoute, z } from '@hono/zod-openapi';
import { openLink } from '../../../shared/envelope/open-link.js';
import { requireVerified } from '../../../shared/envelope/signer-auth.js';
import type { Envelope, SigningGrant } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';
import { fromPem } from '../../../shared/pki/certificate.js';
import { listRemoteProviders } from '../../../shared/remote/providers.js';
import { completeExternalSignature, rejectCompletion } from '../../../shared/signing/complete-signature.js';
import type { ExternalSigningDeps } from '../../../shared/signing/ports.js';
import { prepareExternalSignature } from '../../../shared/signing/prepare-signature.js';
import { pollRemoteSigning, type RemoteSigningState, startRemoteSigning } from '../../../shared/signing/remote-sign.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, LINK_ERRORS, pathParams } from '../openapi.js';
import { EnvelopeSchema } from '../present.js';
import { requestMeta } from '../request-meta.js';

const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/=\s]+$/, 'must be base64')
  .max(200_000);
const fieldValues = z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).default({});

export const prepareSchema = z
  .object({
    /** The signer's certificate first, then its issuers, PEM (what the agent's chainPem gives). */
    certificateChainPem: z.string().max(200_000).optional(),
    /** Or the same as base64 DER certificates. */
    certificateChain: z.array(base64).max(10).optional(),
    fields: fieldValues,
  })
  .refine((b) => b.certificateChainPem || b.certificateChain?.length, 'send certificateChainPem or certificateChain');

const returned = z.object({ documentId: z.string().optional(), signature: base64.optional(), cms: base64.optional() });
export const completeSchema = z.object({
  sessionId: z.string().min(10).max(64),
  /** One document: the raw signature value (base64) or a full CMS SignedData (base64). */
  signature: base64.optional(),
  cms: base64.optional(),
  /** Several documents: one entry each. */
  signatures: z.array(returned).max(50).optional(),
});

export const remoteSchema = z.object({
  /** The provider the signer chose (GET /methods lists them); absent: the tenant's default provider. */
  providerId: z.string().trim().min(1).max(64).optional(),
  /** The signer's id at their CA (citizen id number, phone, ...). */
  userId: z.string().trim().min(1).max(100),
  credentialId: z.string().max(200).optional(),
  fields: fieldValues,
});

const der = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const stringify = (values: Record<string, string | boolean | number>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));

const signed = (envelope: Envelope, grant: SigningGrant) => {
  const me = envelope.recipients.find((r) => r.id === grant.recipientId);
  return {
    status: 'signed' as const,
    envelope: { id: envelope.id, status: envelope.status },
    recipient: { id: grant.recipientId, status: me?.status, ...(me?.signedAt ? { signedAt: me.signedAt } : {}) },
    documents: envelope.documents.map((d) => ({ id: d.id, sha256: d.sha256 })),
  };
};

const SignedSchema = z.object({
  status: z.literal('signed'),
  envelope: z.object({ id: z.string(), status: EnvelopeSchema.shape.status }),
  recipient: z.object({
    id: z.string(),
    status: EnvelopeSchema.shape.recipients.element.shape.status.optional(),
    signedAt: z.string().optional(),
  }),
  documents: z.array(z.object({ id: z.string(), sha256: z.string() })),
});
const PendingSchema = z.object({
  status: z.literal('pending'),
  sessionId: z.string(),
  expiresAt: z.string(),
  ca: z.string(),
  pollAfterSeconds: z.number().int(),
});
const refusals =
  'Refusals (nothing embedded, each recorded as recipient.signature_rejected in the audit trail): certificate_rejected (422: key usage, validity, no path to the trust list), signature_invalid (422: does not verify against the prepared signed attributes and certificate), signing_session_not_found (404), signing_session_used (409: replay), signing_session_expired (410), document_changed (409: another signer committed since prepare; prepare again).';
const REFUSAL_ERRORS = [
  'certificate_rejected',
  'signature_invalid',
  'signing_session_not_found',
  'signing_session_used',
  'signing_session_expired',
  'document_changed',
] as const;
const tags = ['Own certificate'];
const token = pathParams('token');

/**
 * Signing with one's own certificate: two-phase for a USB token through the local agent
 * (prepare → the agent signs → complete), and remote signing through the tenant's CSC
 * provider (start → poll while the signer confirms on their phone).
 */
export const externalSignRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const ext = (): ExternalSigningDeps => {
    if (!deps.externalSigning) throw new AppError('not_found', 'Signing with your own certificate is not available here.');
    return deps.externalSigning;
  };
  const verifiedGrant = async (token: string) => {
    const link = await openLink(deps, token);
    await requireVerified(deps, link);
    return link.grant;
  };
  const remoteReply = (state: RemoteSigningState, grant: SigningGrant) =>
    state.status === 'signed'
      ? { signed: { ...signed(state.envelope, grant), sessionId: state.sessionId } }
      : {
          pending: {
            status: 'pending' as const,
            sessionId: state.sessionId,
            expiresAt: state.expiresAt,
            ca: state.caName,
            pollAfterSeconds: 2,
          },
        };
  const remoteResponses = {
    200: jsonContent(SignedSchema.extend({ sessionId: z.string() }), 'Signed'),
    202: jsonContent(PendingSchema, 'Pending: the signer confirms on their phone; poll after pollAfterSeconds'),
  };

  /**
   * Every way this signer may sign: the platform path (typed/drawn, one-time key) unless the
   * sender requires a licensed certificate, the USB token, and each remote-signing CA the signer
   * may choose (the tenant's and the deployment's), by id and name.
   */
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{token}/methods',
      tags,
      summary: 'Every way this signer may sign: platform (typed/drawn), USB token, and each remote-signing provider (id, name)',
      request: { params: token },
      responses: {
        200: jsonContent(
          z.object({
            signatureLevel: z.enum(['electronic', 'digital']),
            platform: z
              .boolean()
              .openapi({ description: 'Typing or drawing (one-time platform key) is allowed: false when signatureLevel is "digital"' }),
            usbToken: z.boolean(),
            providers: z.array(z.object({ id: z.string(), name: z.string() })),
            remote: z
              .object({ ca: z.string() })
              .nullable()
              .openapi({ description: 'Deprecated (one provider per tenant): the provider a request without providerId uses' }),
          }),
          'Methods',
        ),
        ...errors(...LINK_ERRORS),
      },
    }),
    async (c) => {
      const { grant, recipient } = await openLink(deps, c.req.param('token'));
      const registry = deps.externalSigning?.remoteProviders;
      const providers = registry ? await listRemoteProviders(registry, grant.tenantId) : [];
      const fallback = providers.find((p) => p.isDefault) ?? (providers.length === 1 ? providers[0] : undefined);
      const level: 'digital' | 'electronic' = recipient.signatureLevel ?? 'electronic';
      return c.json(
        {
          signatureLevel: level,
          platform: level !== 'digital',
          usbToken: !!deps.externalSigning,
          providers: providers.map((p) => ({ id: p.id, name: p.name })),
          remote: fallback ? { ca: fallback.name } : null,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/prepare',
      tags,
      summary:
        'Phase 1 of signing with your own certificate (USB token via the local agent): pins your next revision of each document and returns the DER signed attributes to sign',
      description: `Sign SHA-256(signedAttributesDer) with the certificate's key. ${refusals}`,
      request: { params: token, body: jsonBody(prepareSchema) },
      responses: {
        200: jsonContent(
          z.object({
            sessionId: z.string(),
            expiresAt: z.string(),
            signedAt: z.string().openapi({ description: 'The /M time' }),
            signatureAlgorithm: z.string().openapi({ example: 'ECDSA_SHA_256' }),
            documents: z.array(
              z.object({ documentId: z.string(), signedAttributesDer: z.string(), digestHex: z.string(), digestB64: z.string() }),
            ),
            signedAttributesDer: z.string().optional().openapi({ description: 'One document: the same as documents[0]' }),
            digest: z.object({ hex: z.string(), base64: z.string() }).optional(),
          }),
          'Prepared session',
        ),
        ...errors(...LINK_ERRORS, ...REFUSAL_ERRORS, 'not_found', 'not_your_turn', 'wrong_role'),
      },
    }),
    async (c) => {
      const grant = await verifiedGrant(c.req.param('token'));
      const body = c.req.valid('json');
      const chain = body.certificateChainPem ? fromPem(body.certificateChainPem) : (body.certificateChain ?? []).map(der);
      const { session, documents } = await prepareExternalSignature(
        deps,
        ext(),
        grant,
        { chain, fields: stringify(body.fields), method: 'token' },
        requestMeta(c),
      ).catch(async (e: unknown) => {
        // A refused certificate is a signing attempt too: it goes in the audit trail.
        if (e instanceof AppError && e.code === 'certificate_rejected')
          throw await rejectCompletion(deps, grant, requestMeta(c), 'prepare', e);
        throw e;
      });
      const [first] = documents;
      return c.json(
        {
          sessionId: session.id,
          expiresAt: session.expiresAt,
          signedAt: session.signedAt,
          signatureAlgorithm: session.algorithm,
          documents: [...documents],
          // The common case, one document, without digging into the array:
          ...(documents.length === 1 && first
            ? { signedAttributesDer: first.signedAttributesDer, digest: { hex: first.digestHex, base64: first.digestB64 } }
            : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/complete',
      tags,
      summary:
        'Phase 2: the signature value (or a full CMS) for the prepared session; verified, embedded with a signature timestamp, envelope goes on',
      description: refusals,
      request: { params: token, body: jsonBody(completeSchema) },
      responses: { 200: jsonContent(SignedSchema, 'Signed'), ...errors(...LINK_ERRORS, ...REFUSAL_ERRORS, 'not_found') },
    }),
    async (c) => {
      const grant = await verifiedGrant(c.req.param('token'));
      const body = c.req.valid('json');
      const signatures = body.signatures?.length
        ? body.signatures.map((s) => ({
            ...(s.documentId ? { documentId: s.documentId } : {}),
            ...(s.signature ? { signature: der(s.signature) } : {}),
            ...(s.cms ? { cms: der(s.cms) } : {}),
          }))
        : [{ ...(body.signature ? { signature: der(body.signature) } : {}), ...(body.cms ? { cms: der(body.cms) } : {}) }];
      const envelope = await completeExternalSignature(deps, ext(), grant, { sessionId: body.sessionId, signatures }, requestMeta(c));
      deps.logger.info('recipient signed with own certificate', {
        tenantId: grant.tenantId,
        envelopeId: grant.envelopeId,
        recipientId: grant.recipientId,
      });
      return c.json(signed(envelope, grant), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/remote',
      tags,
      summary:
        "Sign through the remote-signing CA the signer chose (providerId from /methods; none: the tenant's default): finds the signer's credential by userId, pins the revision, asks the CA; 202 while the signer confirms on their phone",
      description: `remote_provider_not_found (404: not one of this tenant's or the deployment's providers), remote_signing_not_configured (409: no providerId and no default), remote_signing_unknown_user (422: the CA has no certificate for this user id), remote_signing_refused (422: the CA or the signer said no), remote_signing_failed (502: the CA is down, timed out or answered nonsense; other providers are unaffected). Each is recorded in the audit trail. ${refusals}`,
      request: { params: token, body: jsonBody(remoteSchema) },
      responses: {
        ...remoteResponses,
        ...errors(
          ...LINK_ERRORS,
          ...REFUSAL_ERRORS,
          'remote_provider_not_found',
          'remote_signing_not_configured',
          'remote_signing_unknown_user',
          'remote_signing_refused',
          'remote_signing_failed',
        ),
      },
    }),
    async (c) => {
      const grant = await verifiedGrant(c.req.param('token'));
      const body = c.req.valid('json');
      const state = await startRemoteSigning(
        deps,
        ext(),
        grant,
        {
          userId: body.userId,
          ...(body.providerId ? { providerId: body.providerId } : {}),
          ...(body.credentialId ? { credentialId: body.credentialId } : {}),
          fields: stringify(body.fields),
        },
        requestMeta(c),
      );
      const reply = remoteReply(state, grant);
      return reply.signed ? c.json(reply.signed, 200) : c.json(reply.pending, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{token}/remote/{sessionId}',
      tags,
      summary:
        'Poll a pending remote signature: one check with the CA; 202 pending, 200 signed, 422 refused, 410 timed out (session expired)',
      request: { params: pathParams('token', 'sessionId') },
      responses: {
        ...remoteResponses,
        ...errors(...LINK_ERRORS, ...REFUSAL_ERRORS, 'remote_signing_refused', 'remote_signing_failed'),
      },
    }),
    async (c) => {
      const grant = await verifiedGrant(c.req.param('token'));
      const state = await pollRemoteSigning(deps, ext(), grant, c.req.param('sessionId'), requestMeta(c));
      const reply = remoteReply(state, grant);
      return reply.signed ? c.json(reply.signed, 200) : c.json(reply.pending, 202);
    },
  );

  return app;
};
