import { Hono } from 'hono';
import { signEnvelope } from '../../../shared/envelope/sign-envelope.js';
import type { Envelope, SigningGrant } from '../../../shared/envelope/types.js';
import { getEnvelopeOrThrow, updateEnvelope } from '../../../shared/envelope/update-envelope.js';
import { AppError } from '../../../shared/errors.js';
import { readSignaturePng } from '../../../shared/pdf/signature-image.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { signRequestSchema } from '../schemas.js';
import { resolveGrant } from '../signing-grant.js';

/** What a signer may see: their envelope's title and documents, their own fields, and who else is involved by name only. */
const presentForSigner = (e: Envelope, grant: SigningGrant, senderName: string) => {
  const me = e.recipients.find((r) => r.id === grant.recipientId);
  if (!me) throw new AppError('token_invalid', 'This signing link is not valid.');
  return {
    envelope: { id: e.id, title: e.title, status: e.status, sender: senderName },
    recipient: {
      id: me.id,
      name: me.name,
      email: me.email,
      status: me.status,
      order: me.order,
      ...(me.signedAt ? { signedAt: me.signedAt } : {}),
    },
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
  const app = new Hono<AppEnv>();

  app.get('/:token', async (c) => {
    const grant = await resolveGrant(deps.tokens, deps.clock, c.req.param('token'));
    let envelope = await getEnvelopeOrThrow(deps, grant.tenantId, grant.envelopeId);
    const me = envelope.recipients.find((r) => r.id === grant.recipientId);
    if (me?.status === 'notified' && envelope.status === 'sent') {
      // First view: record it once (conditional write; a concurrent first view is a no-op).
      const now = deps.clock.now().toISOString();
      ({ after: envelope } = await updateEnvelope(deps, grant.tenantId, grant.envelopeId, (cur) => ({
        ...cur,
        recipients: cur.recipients.map((r) =>
          r.id === grant.recipientId && r.status === 'notified' ? { ...r, status: 'viewed', viewedAt: now } : r,
        ),
      })));
      await deps.audit.append(grant.tenantId, grant.envelopeId, {
        at: now,
        action: 'recipient.viewed',
        actor: { type: 'recipient', id: grant.recipientId, email: me.email },
        ...requestMeta(c),
      });
      await deps.events?.publish(grant.tenantId, 'recipient.viewed', { envelopeId: grant.envelopeId, recipientId: grant.recipientId });
    }
    const tenant = await deps.tenants.get(grant.tenantId);
    return c.json(presentForSigner(envelope, grant, tenant?.name ?? 'Kyso'));
  });

  app.get('/:token/documents/:documentId', async (c) => {
    const grant = await resolveGrant(deps.tokens, deps.clock, c.req.param('token'));
    const envelope = await getEnvelopeOrThrow(deps, grant.tenantId, grant.envelopeId);
    const doc = envelope.documents.find((d) => d.id === c.req.param('documentId'));
    if (!doc) throw new AppError('not_found', 'Document not found in this envelope.');
    const bytes = await deps.documents.get(doc.key);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(doc.name)}`,
      'cache-control': 'private, no-store',
    });
  });

  app.post('/:token', async (c) => {
    const grant = await resolveGrant(deps.tokens, deps.clock, c.req.param('token'));
    const body = await c.req.json().catch(() => {
      throw new AppError('bad_request', 'The body is not valid JSON.');
    });
    const parsed = signRequestSchema.parse(body);
    const fields = Object.fromEntries(Object.entries(parsed.fields).map(([k, v]) => [k, String(v)]));
    const signature =
      parsed.signature.type === 'drawn'
        ? { type: 'drawn' as const, value: parsed.signature.value, image: readSignaturePng(parsed.signature.image) }
        : parsed.signature;
    const { envelope, timer } = await signEnvelope(deps, grant, { fields, signature }, requestMeta(c));
    c.header('server-timing', timer.serverTiming());
    deps.logger.info('recipient signed', { tenantId: grant.tenantId, envelopeId: grant.envelopeId, recipientId: grant.recipientId });
    const tenant = await deps.tenants.get(grant.tenantId);
    return c.json(presentForSigner(envelope, grant, tenant?.name ?? 'Kyso'));
  });

  return app;
};
