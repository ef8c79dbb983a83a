import { Hono } from 'hono';
import { z } from 'zod';
import { verifyAuditTrail } from '../../../shared/envelope/audit-trail-signature.js';
import { expireIfDue, voidEnvelope } from '../../../shared/envelope/end-envelope.js';
import { changeRecipient, resendLink } from '../../../shared/envelope/recipient-links.js';
import { remindNow } from '../../../shared/envelope/remind-now.js';
import { getEnvelopeOrThrow } from '../../../shared/envelope/update-envelope.js';
import type { AppDeps, AppEnv } from '../context.js';
import { jsonBody } from '../json-body.js';
import { presentEnvelope } from '../present.js';
import { requestMeta } from '../request-meta.js';

export const voidSchema = z.object({ reason: z.string().trim().min(1).max(1000) });
export const changeRecipientSchema = z
  .object({ email: z.email().max(254).optional(), name: z.string().trim().min(1).max(200).optional() })
  .refine((v) => v.email !== undefined || v.name !== undefined, { message: 'Send email and/or name.' });

/** The sender's workflow actions on an envelope: void, resend a link, change a recipient, verify the audit trail. */
export const envelopeWorkflowRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();

  app.post('/:id/void', async (c) => {
    const { reason } = voidSchema.parse(await jsonBody(c.req.raw));
    const envelope = await voidEnvelope(deps, c.get('tenantId'), c.req.param('id'), reason, requestMeta(c));
    deps.logger.info('envelope voided', { tenantId: envelope.tenantId, envelopeId: envelope.id });
    return c.json(presentEnvelope(envelope));
  });

  app.post('/:id/remind', async (c) => {
    const { envelope, reminded } = await remindNow(deps, c.get('tenantId'), c.req.param('id'));
    return c.json({ reminded, envelope: presentEnvelope(envelope) });
  });

  app.post('/:id/recipients/:rid/resend', async (c) => {
    const envelope = await resendLink(deps, c.get('tenantId'), c.req.param('id'), c.req.param('rid'), requestMeta(c));
    return c.json(presentEnvelope(envelope));
  });

  app.patch('/:id/recipients/:rid', async (c) => {
    const change = changeRecipientSchema.parse(await jsonBody(c.req.raw));
    const envelope = await changeRecipient(deps, c.get('tenantId'), c.req.param('id'), c.req.param('rid'), change, requestMeta(c));
    return c.json(presentEnvelope(envelope));
  });

  app.get('/:id/audit/verify', async (c) => {
    const envelope = await expireIfDue(deps, await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id')));
    return c.json({ envelopeId: envelope.id, status: envelope.status, ...(await verifyAuditTrail(deps, envelope)) });
  });

  return app;
};
