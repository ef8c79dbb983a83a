import { Hono } from 'hono';
import { z } from 'zod';
import { approveEnvelope } from '../../../shared/envelope/approve-envelope.js';
import { declineEnvelope } from '../../../shared/envelope/end-envelope.js';
import { openLink } from '../../../shared/envelope/open-link.js';
import { authMethodLabel, requireVerified, sendOtp, verifyCode } from '../../../shared/envelope/signer-auth.js';
import type { AppDeps, AppEnv } from '../context.js';
import { jsonBody } from '../json-body.js';
import { requestMeta } from '../request-meta.js';
import { presentForSigner } from './sign.js';

export const verifyCodeSchema = z.object({ code: z.string().trim().min(1).max(64) });
export const declineSchema = z.object({ reason: z.string().trim().min(1).max(1000) });

/**
 * What a link holder can do besides viewing and signing (routes/sign.ts): prove who they
 * are (one-time code by email, or an access code), approve, or decline with a reason.
 */
export const signWorkflowRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();

  app.post('/:token/otp', async (c) => {
    const link = await openLink(deps, c.req.param('token'));
    const { expiresAt, channel } = await sendOtp(deps, link, requestMeta(c));
    return c.json({ sent: true, expiresAt, channel }, 202);
  });

  app.post('/:token/verify', async (c) => {
    const link = await openLink(deps, c.req.param('token'));
    const { code } = verifyCodeSchema.parse(await jsonBody(c.req.raw));
    const result = await verifyCode(deps, link, code, requestMeta(c));
    return c.json({ verified: true, ...result });
  });

  app.post('/:token/approve', async (c) => {
    const link = await openLink(deps, c.req.param('token'));
    await requireVerified(deps, link);
    const envelope = await approveEnvelope(deps, link.grant, { ...requestMeta(c), method: authMethodLabel(link.recipient) });
    deps.logger.info('recipient approved', { tenantId: envelope.tenantId, envelopeId: envelope.id, recipientId: link.recipient.id });
    const tenant = await deps.tenants.get(envelope.tenantId);
    return c.json(presentForSigner(envelope, link.grant, tenant?.name ?? 'Kyso'));
  });

  app.post('/:token/decline', async (c) => {
    const link = await openLink(deps, c.req.param('token'));
    await requireVerified(deps, link, { identity: false });
    const { reason } = declineSchema.parse(await jsonBody(c.req.raw));
    const envelope = await declineEnvelope(deps, link.grant, reason, { ...requestMeta(c), method: authMethodLabel(link.recipient) });
    deps.logger.info('recipient declined', { tenantId: envelope.tenantId, envelopeId: envelope.id, recipientId: link.recipient.id });
    return c.json({ envelope: { id: envelope.id, status: envelope.status }, recipient: { id: link.recipient.id, status: 'declined' } });
  });

  return app;
};
