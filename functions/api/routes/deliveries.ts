import { Hono } from 'hono';
import { getEnvelopeOrThrow } from '../../../shared/envelope/update-envelope.js';
import type { AppDeps, AppEnv } from '../context.js';

/**
 * Phone messages (SMS, Zalo) sent for an envelope and what the providers' receipts said:
 * `sent` → `delivered` or `failed`. The console shows the latest per recipient.
 */
export const deliveryRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.get('/:id/deliveries', async (c) => {
    const envelope = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
    const items = (await deps.deliveries?.list(envelope.tenantId, envelope.id)) ?? [];
    return c.json({
      deliveries: items.map((d) => ({
        recipientId: d.recipientId,
        channel: d.channel,
        kind: d.kind,
        status: d.status,
        messageId: d.messageId,
        sentAt: d.sentAt,
        updatedAt: d.updatedAt,
        ...(d.detail ? { detail: d.detail } : {}),
      })),
    });
  });
  return app;
};
