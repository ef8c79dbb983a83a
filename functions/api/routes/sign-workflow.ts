import { createRoute, z } from '@hono/zod-openapi';
import { approveEnvelope } from '../../../shared/envelope/approve-envelope.js';
import { declineEnvelope } from '../../../shared/envelope/end-envelope.js';
import { openLink } from '../../../shared/envelope/open-link.js';
import { authMethodLabel, requireVerified, sendOtp, verifyCode } from '../../../shared/envelope/signer-auth.js';
import type { AppDeps } from '../context.js';
import { IDEMPOTENCY_HEADER } from '../idempotency.js';
import { createRouter, errors, jsonBody, jsonContent, LINK_ERRORS, pathParams } from '../openapi.js';
import { EnvelopeSchema } from '../present.js';
import { requestMeta } from '../request-meta.js';
import { presentForSigner, SignerViewSchema } from './sign.js';

export const verifyCodeSchema = z.object({ code: z.string().trim().min(1).max(64) }).openapi({ example: { code: '123456' } });
export const declineSchema = z.object({ reason: z.string().trim().min(1).max(1000) }).openapi({ example: { reason: 'Sai tên công ty' } });

const tags = ['Signer'];
const token = pathParams('token');

/**
 * What a link holder can do besides viewing and signing (routes/sign.ts): prove who they
 * are (one-time code by email, or an access code), approve, or decline with a reason.
 */
export const signWorkflowRoutes = (deps: AppDeps) => {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/otp',
      tags,
      summary: 'Email a 6-digit one-time code (10 minutes; at most 3 per 10 minutes: 429 rate_limited)',
      request: { params: token },
      responses: {
        202: jsonContent(z.object({ sent: z.literal(true), expiresAt: z.string(), channel: z.enum(['email', 'sms', 'zalo']) }), 'Sent'),
        ...errors(...LINK_ERRORS, 'rate_limited', 'code_locked', 'invalid_state'),
      },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      const { expiresAt, channel } = await sendOtp(deps, link, requestMeta(c), c.req.header(IDEMPOTENCY_HEADER));
      return c.json({ sent: true as const, expiresAt, channel: channel as 'email' | 'sms' | 'zalo' }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/verify',
      tags,
      summary: 'Check the one-time code or the access code; verifies this link for 30 minutes',
      request: { params: token, body: jsonBody(verifyCodeSchema) },
      responses: {
        200: jsonContent(z.object({ verified: z.literal(true), verifiedUntil: z.string(), method: z.string() }), 'Verified'),
        ...errors(...LINK_ERRORS, 'code_invalid', 'code_locked'),
      },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      const { code } = c.req.valid('json');
      const result = await verifyCode(deps, link, code, requestMeta(c));
      return c.json({ verified: true as const, ...result }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/approve',
      tags,
      summary: 'Approve (role approver; no signature): routing moves on',
      request: { params: token },
      responses: {
        200: jsonContent(SignerViewSchema, 'As GET /v1/sign/{token}'),
        ...errors(...LINK_ERRORS, 'wrong_role', 'not_your_turn'),
      },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      await requireVerified(deps, link);
      const envelope = await approveEnvelope(deps, link.grant, { ...requestMeta(c), method: authMethodLabel(link.recipient) });
      deps.logger.info('recipient approved', { tenantId: envelope.tenantId, envelopeId: envelope.id, recipientId: link.recipient.id });
      const tenant = await deps.tenants.get(envelope.tenantId);
      return c.json(presentForSigner(envelope, link.grant, tenant?.name ?? 'Kyso'), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/decline',
      tags,
      summary: 'Decline with a reason (signer or approver): the envelope ends; the sender and everyone who had acted are emailed',
      request: { params: token, body: jsonBody(declineSchema) },
      responses: {
        200: jsonContent(
          z.object({
            envelope: z.object({ id: z.string(), status: EnvelopeSchema.shape.status }),
            recipient: z.object({ id: z.string(), status: z.literal('declined') }),
          }),
          'Declined',
        ),
        ...errors(...LINK_ERRORS, 'wrong_role', 'already_signed'),
      },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      await requireVerified(deps, link, { identity: false });
      const { reason } = c.req.valid('json');
      const envelope = await declineEnvelope(deps, link.grant, reason, { ...requestMeta(c), method: authMethodLabel(link.recipient) });
      deps.logger.info('recipient declined', { tenantId: envelope.tenantId, envelopeId: envelope.id, recipientId: link.recipient.id });
      return c.json(
        { envelope: { id: envelope.id, status: envelope.status }, recipient: { id: link.recipient.id, status: 'declined' as const } },
        200,
      );
    },
  );

  return app;
};
