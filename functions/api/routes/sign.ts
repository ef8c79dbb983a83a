import { createRoute, z } from '@hono/zod-openapi';
import { getCompletionCertificate } from '../../../shared/completion/get-completion-certificate.js';
import { type OpenedLink, openLink } from '../../../shared/envelope/open-link.js';
import { recordView } from '../../../shared/envelope/record-view.js';
import { signEnvelope } from '../../../shared/envelope/sign-envelope.js';
import { authMethodLabel, authRequirement, linkIsVerified, otpChannelOf, requireVerified } from '../../../shared/envelope/signer-auth.js';
import type { Envelope, SigningGrant } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';
import { identityStatus } from '../../../shared/identity/require-identity.js';
import { maskPhone } from '../../../shared/messaging/phone.js';
import { readSignaturePng } from '../../../shared/pdf/signature-image.js';
import type { AppDeps } from '../context.js';
import { binaryContent, createRouter, errors, jsonBody, jsonContent, LINK_ERRORS, pathParams } from '../openapi.js';
import { EnvelopeSchema } from '../present.js';
import { requestMeta } from '../request-meta.js';
import { signRequestSchema } from '../schemas.js';

/**
 * What a signer may see: their envelope's title and documents, their own fields, and who
 * else is involved by name only. `verification` says whether a code is still needed
 * (method otp / access-code) before signing or downloading.
 */
const fieldView = EnvelopeSchema.shape.fields.element;
export const SignerViewSchema = z
  .object({
    envelope: z.object({ id: z.string(), title: z.string(), status: EnvelopeSchema.shape.status, sender: z.string() }),
    recipient: EnvelopeSchema.shape.recipients.element.pick({
      id: true,
      name: true,
      email: true,
      phone: true,
      signatureLevel: true,
      role: true,
      status: true,
      order: true,
      signedAt: true,
      approvedAt: true,
    }),
    verification: z.object({
      method: z.enum(['none', 'otp', 'access-code']),
      verified: z.boolean().openapi({ description: 'false: POST /v1/sign/{token}/verify first' }),
      channel: z.enum(['email', 'sms', 'zalo']).optional().openapi({ description: 'Where one-time codes go' }),
    }),
    identity: z
      .object({ required: z.boolean(), verified: z.boolean(), method: z.string().optional() })
      .openapi({ description: 'Proof of identity asked for by the sender (eKYC or VNeID), proven or not' }),
    documents: z.array(z.object({ id: z.string(), name: z.string(), pageCount: z.number().int(), sha256: z.string() })),
    fields: z.array(fieldView.omit({ recipientId: true })),
  })
  .openapi('SignerView');
export type SignerView = z.infer<typeof SignerViewSchema>;

export const presentForSigner = (e: Envelope, grant: SigningGrant, senderName: string, verified = true): SignerView => {
  const me = e.recipients.find((r) => r.id === grant.recipientId);
  if (!me) throw new AppError('token_invalid', 'This signing link is not valid.');
  return {
    envelope: { id: e.id, title: e.title, status: e.status, sender: senderName },
    recipient: {
      id: me.id,
      name: me.name,
      email: me.email,
      ...(me.phone ? { phone: maskPhone(me.phone) } : {}),
      role: me.role,
      status: me.status,
      order: me.order,
      // "digital": the page offers only the USB token and remote signing.
      signatureLevel: me.signatureLevel ?? 'electronic',
      ...(me.signedAt ? { signedAt: me.signedAt } : {}),
      ...(me.approvedAt ? { approvedAt: me.approvedAt } : {}),
    },
    verification: {
      method: authRequirement(me) ?? 'none',
      verified,
      ...(authRequirement(me) === 'otp' ? { channel: otpChannelOf(me) } : {}),
    },
    // Proof of identity asked for by the sender: the signer page walks them through it first.
    identity: identityStatus(me),
    documents: e.documents.map((d) => ({ id: d.id, name: d.name, pageCount: d.pageCount, sha256: d.sha256 })),
    fields: e.fields
      .filter((f) => f.recipientId === me.id)
      .map((f) => ({
        id: f.id,
        documentId: f.documentId,
        type: f.type,
        page: f.page,
        x: f.x,
        y: f.y,
        width: f.width,
        height: f.height,
        required: f.required,
        ...(f.label ? { label: f.label } : {}),
        ...(f.value !== undefined ? { value: f.value } : {}),
      })),
  };
};

export const signRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const tags = ['Signer'];
  const token = pathParams('token');

  /** Why the signer page shows what it shows: verified or not, for the UI to ask for a code first. */
  const present = async (link: OpenedLink, envelope: Envelope) => {
    const tenant = await deps.tenants.get(link.grant.tenantId);
    return presentForSigner(envelope, link.grant, tenant?.name ?? 'Kyso', await linkIsVerified(deps, link));
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{token}',
      tags,
      summary: 'What the signer is asked to sign (records the first view)',
      description: 'The token is the one in the signing link (`/s/{token}`); it is the only credential a signer holds.',
      request: { params: token },
      responses: {
        200: jsonContent(SignerViewSchema, 'Envelope, recipient, documents and the signer’s fields'),
        ...errors(...LINK_ERRORS),
      },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      // The first view is a state change like any other (shared/envelope/record-view.ts).
      const envelope = await recordView(deps, link.envelope, link.grant.recipientId, requestMeta(c));
      return c.json(await present(link, envelope), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{token}/documents/{documentId}',
      tags,
      summary: 'The PDF, for the signer',
      request: { params: pathParams('token', 'documentId') },
      responses: { 200: binaryContent('application/pdf', 'The current revision'), ...errors(...LINK_ERRORS, 'not_found') },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      await requireVerified(deps, link);
      const { envelope } = link;
      const doc = envelope.documents.find((d) => d.id === c.req.param('documentId'));
      if (!doc) throw new AppError('not_found', 'Document not found in this envelope.');
      const bytes = await deps.documents.get(doc.key);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pdf',
        'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(doc.name)}`,
        'cache-control': 'private, no-store',
      });
    },
  );

  // Every party gets the certificate of completion too, once the envelope is finished.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{token}/certificate',
      tags,
      summary: 'The certificate of completion, for a party of a finished envelope',
      request: { params: token },
      responses: { 200: binaryContent('application/pdf', 'The certificate'), ...errors(...LINK_ERRORS, 'invalid_state') },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      await requireVerified(deps, link);
      const pdf = await getCompletionCertificate(deps, link.grant.tenantId, link.grant.envelopeId);
      return c.body(pdf as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="kyso-certificate-${link.grant.envelopeId}.pdf"`,
        'cache-control': 'private, no-store',
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}',
      tags,
      summary: 'Sign: fill the signer’s fields and add their PAdES signature (one incremental revision per document)',
      description:
        'Signs with a one-time key pair and certificate made for this signing (ADR 0011): an electronic signature. A recipient with signatureLevel "digital" must sign with a licensed CA certificate instead (USB token: /prepare + /complete; remote signing: /remote): 403 digital_signature_required. With KYSO_TSA_REQUIRED=external, 503 timestamp_unavailable when no external TSA answers (nothing stored).',
      request: {
        params: token,
        body: jsonBody(
          signRequestSchema.openapi('SignRequest', {
            example: { fields: {}, signature: { type: 'typed', value: 'Nguyễn Văn An' } },
          }),
        ),
      },
      responses: {
        200: jsonContent(SignerViewSchema, 'Signed: the signer’s view after the signature'),
        ...errors(...LINK_ERRORS, 'wrong_role', 'not_your_turn', 'already_signed', 'invalid_field_value', 'timestamp_authority_failed'),
      },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      const { grant } = link;
      // The tenant (its TSAs, then the page's sender name) is read once per request: started now, it
      // comes in while the one-time certificate is issued instead of after it.
      deps.tenants.get(grant.tenantId).catch(() => undefined);
      await requireVerified(deps, link);
      const parsed = c.req.valid('json');
      const fields = Object.fromEntries(Object.entries(parsed.fields).map(([k, v]) => [k, String(v)]));
      const signature =
        parsed.signature.type === 'drawn'
          ? { type: 'drawn' as const, value: parsed.signature.value, image: readSignaturePng(parsed.signature.image) }
          : parsed.signature;
      const { envelope, timer, attempts } = await signEnvelope(deps, grant, { fields, signature }, requestMeta(c), {
        method: authMethodLabel(link.recipient),
        // Read by openLink: the commit's first attempt uses it (one envelope read less), and the one-time certificate is issued before the revision lease.
        current: link.envelope,
      });
      c.header('server-timing', timer.serverTiming());
      // How many optimistic-write rounds the signature took (1 = no conflict); measured by the concurrency test.
      c.header('x-kyso-attempts', String(attempts));
      deps.logger.info('recipient signed', {
        tenantId: grant.tenantId,
        envelopeId: grant.envelopeId,
        recipientId: grant.recipientId,
        attempts,
      });
      return c.json(await present(link, envelope), 200);
    },
  );

  return app;
};
