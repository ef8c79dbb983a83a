import { createRoute, z } from '@hono/zod-openapi';
import { verifyAuditTrail } from '../../../shared/envelope/audit-trail-signature.js';
import { expireIfDue, voidEnvelope } from '../../../shared/envelope/end-envelope.js';
import { changeRecipient, resendLink } from '../../../shared/envelope/recipient-links.js';
import { remindNow } from '../../../shared/envelope/remind-now.js';
import { getEnvelopeOrThrow } from '../../../shared/envelope/update-envelope.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, pathParams, TENANT } from '../openapi.js';
import { EnvelopeSchema, presentEnvelope } from '../present.js';
import { requestMeta } from '../request-meta.js';

export const voidSchema = z.object({ reason: z.string().trim().min(1).max(1000) }).openapi({ example: { reason: 'Sai mức lương' } });
export const changeRecipientSchema = z
  .object({ email: z.email().max(254).optional(), name: z.string().trim().min(1).max(200).optional() })
  .refine((v) => v.email !== undefined || v.name !== undefined, { message: 'Send email and/or name.' });

const tags = ['Envelope workflow'];
const ENVELOPE_ERRORS = ['unauthorized', 'envelope_not_found'] as const;
const recipientPath = pathParams('id', 'rid');

/** The sender's workflow actions on an envelope: void, resend a link, change a recipient, verify the audit trail. */
export const envelopeWorkflowRoutes = (deps: AppDeps) => {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/void',
      tags,
      summary: 'Void an envelope (draft or sent) with a reason: every link dies at once; recipients who had a link are emailed',
      security: TENANT,
      request: { params: pathParams('id'), body: jsonBody(voidSchema) },
      responses: { 200: jsonContent(EnvelopeSchema, 'The voided envelope'), ...errors(...ENVELOPE_ERRORS, 'invalid_state') },
    }),
    async (c) => {
      const { reason } = c.req.valid('json');
      const envelope = await voidEnvelope(deps, c.get('tenantId'), c.req.param('id'), reason, requestMeta(c));
      deps.logger.info('envelope voided', { tenantId: envelope.tenantId, envelopeId: envelope.id });
      return c.json(presentEnvelope(envelope), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/remind',
      tags,
      summary: 'Remind now: a fresh link to every signer/approver whose turn it is (at most once an hour each)',
      security: TENANT,
      request: { params: pathParams('id') },
      responses: {
        200: jsonContent(
          z.object({ reminded: z.number().int().openapi({ description: 'How many recipients were reminded' }), envelope: EnvelopeSchema }),
          'Who was reminded',
        ),
        ...errors(...ENVELOPE_ERRORS, 'invalid_state', 'rate_limited'),
      },
    }),
    async (c) => {
      const { envelope, reminded } = await remindNow(deps, c.get('tenantId'), c.req.param('id'));
      return c.json({ reminded, envelope: presentEnvelope(envelope) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/recipients/{rid}/resend',
      tags,
      summary: 'Email a new link to a recipient whose turn it is; every earlier link of theirs dies',
      security: TENANT,
      request: { params: recipientPath },
      responses: {
        200: jsonContent(EnvelopeSchema, 'The envelope'),
        ...errors(...ENVELOPE_ERRORS, 'not_found', 'invalid_state', 'not_your_turn'),
      },
    }),
    async (c) => {
      const envelope = await resendLink(deps, c.get('tenantId'), c.req.param('id'), c.req.param('rid'), requestMeta(c));
      return c.json(presentEnvelope(envelope), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}/recipients/{rid}',
      tags,
      summary:
        'Change a recipient’s email and/or name before they act; their old link dies, the new address gets a link if it is their turn',
      security: TENANT,
      request: { params: recipientPath, body: jsonBody(changeRecipientSchema) },
      responses: { 200: jsonContent(EnvelopeSchema, 'The envelope'), ...errors(...ENVELOPE_ERRORS, 'not_found', 'invalid_state') },
    }),
    async (c) => {
      const change = c.req.valid('json');
      const envelope = await changeRecipient(deps, c.get('tenantId'), c.req.param('id'), c.req.param('rid'), change, requestMeta(c));
      return c.json(presentEnvelope(envelope), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/audit/verify',
      tags,
      summary: 'Recompute the audit hash chain and check the KMS signature over its head (made at completion)',
      security: TENANT,
      request: { params: pathParams('id') },
      responses: {
        200: jsonContent(
          z.object({
            envelopeId: z.string(),
            status: EnvelopeSchema.shape.status,
            ok: z.boolean(),
            events: z.number().int(),
            chain: z.object({ ok: z.boolean(), brokenAt: z.number().int().optional() }),
            headSignatures: z.array(
              z.object({
                seq: z.number().int(),
                hash: z.string(),
                keyId: z.string().optional(),
                algorithm: z.string(),
                matchesEvent: z.boolean(),
                signatureValid: z.boolean(),
                platformKey: z.boolean(),
              }),
            ),
            problems: z.array(z.string()),
          }),
          'The verdict; `ok` is false when any event was changed, removed or reordered, or the head signature fails',
        ),
        ...errors(...ENVELOPE_ERRORS),
      },
    }),
    async (c) => {
      const envelope = await expireIfDue(deps, await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id')));
      const v = await verifyAuditTrail(deps, envelope);
      return c.json(
        { envelopeId: envelope.id, status: envelope.status, ...v, headSignatures: [...v.headSignatures], problems: [...v.problems] },
        200,
      );
    },
  );

  return app;
};
