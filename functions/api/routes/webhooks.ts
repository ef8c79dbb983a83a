import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { randomId } from '../../../shared/util/bytes.js';
import { isWebhookEventType, WEBHOOK_EVENTS, type WebhookEventType } from '../../../shared/webhooks/events.js';
import type { DeliveryStatus, WebhookDelivery, WebhookEndpoint } from '../../../shared/webhooks/ports.js';
import type { DeliveryJob } from '../../../shared/webhooks/publish-event.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireOutboundUrl } from '../outbound-url.js';

export const createWebhookSchema = z.object({
  url: z.string().max(2000),
  events: z.array(z.string()).min(1).max(WEBHOOK_EVENTS.length),
  description: z.string().trim().max(200).optional(),
});

/** https:// to a public host (plain http to loopback in local mode, for test receivers); no credentials. */
const checkUrl = (raw: string, allowLoopback: boolean): string =>
  requireOutboundUrl(raw, 'url', { allowLoopback, code: 'invalid_webhook_url' });

const checkEvents = (events: readonly string[]): WebhookEventType[] => {
  const unknown = events.filter((e) => !isWebhookEventType(e));
  if (unknown.length) {
    throw new AppError('unknown_webhook_event', `Unknown event(s): ${unknown.join(', ')}. Known events: ${WEBHOOK_EVENTS.join(', ')}.`, {
      unknown,
      known: WEBHOOK_EVENTS,
    });
  }
  return [...new Set(events as WebhookEventType[])];
};

const presentEndpoint = ({ secret: _secret, tenantId: _t, ...e }: WebhookEndpoint) => e;
const presentDelivery = ({ payload: _p, tenantId: _t, ...d }: WebhookDelivery) => d;

/** /v1/webhooks: endpoints (the secret is returned once, at creation), deliveries, dead letters and replay. */
export const webhookRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();

  app.post('/', async (c) => {
    const body = await c.req.json().catch(() => {
      throw new AppError('bad_request', 'The body is not valid JSON.');
    });
    const input = createWebhookSchema.parse(body);
    const endpoint: WebhookEndpoint = {
      id: `wh_${randomId(9)}`,
      tenantId: c.get('tenantId'),
      url: checkUrl(input.url, deps.allowLoopbackWebhooks),
      events: checkEvents(input.events),
      // The signing secret: kept (HMAC needs it), shown only in this response, never logged.
      secret: `whsec_${randomId(24)}`,
      ...(input.description ? { description: input.description } : {}),
      createdAt: deps.clock.now().toISOString(),
    };
    await deps.webhooks.createEndpoint(endpoint);
    deps.logger.info('webhook endpoint created', { tenantId: endpoint.tenantId, webhookId: endpoint.id });
    return c.json({ ...presentEndpoint(endpoint), secret: endpoint.secret }, 201);
  });

  app.get('/', async (c) => c.json({ items: (await deps.webhooks.listEndpoints(c.get('tenantId'))).map(presentEndpoint) }));

  app.get('/deliveries', async (c) => {
    const status = c.req.query('status') as DeliveryStatus | undefined;
    if (status && !['pending', 'succeeded', 'failed'].includes(status)) {
      throw new AppError('validation_failed', 'status must be pending, succeeded or failed.');
    }
    const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? 25) || 25));
    const cursor = c.req.query('cursor');
    const page = await deps.webhooks.listDeliveries(c.get('tenantId'), {
      limit,
      ...(status ? { status } : {}),
      ...(cursor ? { cursor } : {}),
    });
    return c.json({ items: page.items.map(presentDelivery), ...(page.cursor ? { cursor: page.cursor } : {}) });
  });

  /** Sends a delivery again from attempt 1 (a fresh retry schedule); meant for the dead-letter list. */
  app.post('/deliveries/:id/replay', async (c) => {
    const tenantId = c.get('tenantId');
    const delivery = await deps.webhooks.getDelivery(tenantId, c.req.param('id'));
    if (!delivery) throw new AppError('not_found', 'Delivery not found.');
    if (delivery.status === 'pending') throw new AppError('invalid_state', 'The delivery is still being retried.');
    const { lastError: _e, lastStatusCode: _s, ...rest } = delivery;
    const now = deps.clock.now().toISOString();
    const replayed: WebhookDelivery = { ...rest, status: 'pending', attempts: 0, nextAttemptAt: now };
    if (!(await deps.webhooks.updateDelivery(replayed, { attempts: delivery.attempts, status: delivery.status }))) {
      throw new AppError('conflict', 'The delivery was changed by another request.');
    }
    const job: DeliveryJob = { tenantId, deliveryId: delivery.id, attempt: 1 };
    await deps.jobs.enqueue('webhooks', { ...job });
    deps.logger.info('webhook delivery replayed', { tenantId, deliveryId: delivery.id });
    return c.json(presentDelivery(replayed), 202);
  });

  app.delete('/:id', async (c) => {
    if (!(await deps.webhooks.deleteEndpoint(c.get('tenantId'), c.req.param('id')))) {
      throw new AppError('not_found', 'Webhook endpoint not found.');
    }
    return c.body(null, 204);
  });

  return app;
};
