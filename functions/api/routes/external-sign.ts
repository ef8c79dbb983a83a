import { Hono } from 'hono';
import { z } from 'zod';
import { openLink } from '../../../shared/envelope/open-link.js';
import { requireVerified } from '../../../shared/envelope/signer-auth.js';
import type { Envelope, SigningGrant } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';
import { fromPem } from '../../../shared/pki/certificate.js';
import { completeExternalSignature, rejectCompletion } from '../../../shared/signing/complete-signature.js';
import type { ExternalSigningDeps } from '../../../shared/signing/ports.js';
import { prepareExternalSignature } from '../../../shared/signing/prepare-signature.js';
import { pollRemoteSigning, type RemoteSigningState, startRemoteSigning } from '../../../shared/signing/remote-sign.js';
import type { AppDeps, AppEnv } from '../context.js';
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

const json = async (req: { json(): Promise<unknown> }) =>
  req.json().catch(() => {
    throw new AppError('bad_request', 'The body is not valid JSON.');
  });

/**
 * Signing with one's own certificate: two-phase for a USB token through the local agent
 * (prepare → the agent signs → complete), and remote signing through the tenant's CSC
 * provider (start → poll while the signer confirms on their phone).
 */
export const externalSignRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  const ext = (): ExternalSigningDeps => {
    if (!deps.externalSigning) throw new AppError('not_found', 'Signing with your own certificate is not available here.');
    return deps.externalSigning;
  };
  const verifiedGrant = async (token: string) => {
    const link = await openLink(deps, token);
    await requireVerified(deps, link);
    return link.grant;
  };
  const remoteReply = (c: { json: (b: unknown, s: 200 | 202) => Response }, state: RemoteSigningState, grant: SigningGrant) =>
    state.status === 'signed'
      ? c.json({ ...signed(state.envelope, grant), sessionId: state.sessionId }, 200)
      : c.json({ status: 'pending', sessionId: state.sessionId, expiresAt: state.expiresAt, ca: state.caName, pollAfterSeconds: 2 }, 202);

  /** Which own-certificate methods the signer page should offer: the USB token always, a remote CA if the sender set one up. */
  app.get('/:token/methods', async (c) => {
    const { grant } = await openLink(deps, c.req.param('token'));
    const remote = deps.externalSigning ? await deps.externalSigning.remoteConfigs?.get(grant.tenantId) : undefined;
    return c.json({ usbToken: !!deps.externalSigning, remote: remote ? { ca: remote.caName } : null });
  });

  app.post('/:token/prepare', async (c) => {
    const grant = await verifiedGrant(c.req.param('token'));
    const body = prepareSchema.parse(await json(c.req));
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
    return c.json({
      sessionId: session.id,
      expiresAt: session.expiresAt,
      signedAt: session.signedAt,
      signatureAlgorithm: session.algorithm,
      documents,
      // The common case, one document, without digging into the array:
      ...(documents.length === 1 && first
        ? { signedAttributesDer: first.signedAttributesDer, digest: { hex: first.digestHex, base64: first.digestB64 } }
        : {}),
    });
  });

  app.post('/:token/complete', async (c) => {
    const grant = await verifiedGrant(c.req.param('token'));
    const body = completeSchema.parse(await json(c.req));
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
    return c.json(signed(envelope, grant));
  });

  app.post('/:token/remote', async (c) => {
    const grant = await verifiedGrant(c.req.param('token'));
    const body = remoteSchema.parse(await json(c.req));
    const state = await startRemoteSigning(
      deps,
      ext(),
      grant,
      { userId: body.userId, ...(body.credentialId ? { credentialId: body.credentialId } : {}), fields: stringify(body.fields) },
      requestMeta(c),
    );
    return remoteReply(c, state, grant);
  });

  app.get('/:token/remote/:sessionId', async (c) => {
    const grant = await verifiedGrant(c.req.param('token'));
    const state = await pollRemoteSigning(deps, ext(), grant, c.req.param('sessionId'), requestMeta(c));
    return remoteReply(c, state, grant);
  });

  return app;
};
