import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../shared/errors.js';
import { randomId } from '../../../shared/util/bytes.js';
import { isWebhookEventType, WEBHOOK_EVENTS, type WebhookEventType } from '../../../shared/webhooks/events.js';
import type { DeliveryStatus, WebhookDelivery, WebhookEndpoint } from '../../../shared/webhooks/ports.js';
import type { DeliveryJob } from '../../../shared/webhooks/publish-event.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, pageQuery, pathParams, TENANT } from '../openapi.js';
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

const eventType = z.enum(WEBHOOK_EVENTS as unknown as [WebhookEventType, ...WebhookEventType[]]);
const EndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(eventType),
    description: z.string().optional(),
    createdAt: z.string(),
  })
  .openapi('WebhookEndpoint');
const DeliverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    url: z.string(),
    eventId: z.string(),
    eventType,
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    createdAt: z.string(),
    nextAttemptAt: z.string().optional(),
    lastAttemptAt: z.string().optional(),
    lastStatusCode: z.number().int().optional(),
    lastError: z.string().optional(),
  })
  .openapi('WebhookDelivery');

const presentEndpoint = ({ secret: _secret, tenantId: _t, ...e }: WebhookEndpoint): z.infer<typeof EndpointSchema> => ({
  ...e,
  events: [...e.events],
});
const presentDelivery = ({ payload: _p, tenantId: _t, ...d }: WebhookDelivery): z.infer<typeof DeliverySchema> => d;

/** /v1/webhooks: endpoints (the secret is returned once, at creation), deliveries, dead letters and replay. */
export const webhookRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const tags = ['Webhooks'];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Register a webhook endpoint',
      description: `https:// URL (http://127.0.0.1 in local mode) and the events to receive: ${WEBHOOK_EVENTS.join(', ')}. The response carries the signing secret, shown only once. Each delivery is a POST of {id, type, createdAt, data} with headers Kyso-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>, Kyso-Delivery and Kyso-Event; non-2xx answers are retried with exponential backoff for about a day, then listed as failed. The client package (clients/typescript) verifies signatures with verifyWebhookSignature.`,
      security: TENANT,
      request: {
        body: jsonBody(createWebhookSchema.openapi({ example: { url: 'https://hr.example.vn/kyso', events: ['envelope.completed'] } })),
      },
      responses: {
        201: jsonContent(EndpointSchema.extend({ secret: z.string().openapi({ description: 'whsec_…, shown only here' }) }), 'Created'),
        ...errors('unauthorized', 'invalid_webhook_url', 'unknown_webhook_event'),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
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
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: 'List webhook endpoints (without secrets)',
      security: TENANT,
      responses: { 200: jsonContent(z.object({ items: z.array(EndpointSchema) }), 'The endpoints'), ...errors('unauthorized') },
    }),
    async (c) => c.json({ items: (await deps.webhooks.listEndpoints(c.get('tenantId'))).map(presentEndpoint) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/deliveries',
      tags,
      summary: 'Deliveries, newest first; status=failed is the dead-letter list',
      security: TENANT,
      request: { query: pageQuery.extend({ status: z.enum(['pending', 'succeeded', 'failed']).optional() }) },
      responses: {
        200: jsonContent(z.object({ items: z.array(DeliverySchema), cursor: z.string().optional() }), 'A page of deliveries'),
        ...errors('unauthorized'),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await deps.webhooks.listDeliveries(c.get('tenantId'), {
        limit: q.limit ?? 25,
        ...(q.status ? { status: q.status as DeliveryStatus } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return c.json({ items: page.items.map(presentDelivery), ...(page.cursor ? { cursor: page.cursor } : {}) }, 200);
    },
  );

  /** Sends a delivery again from attempt 1 (a fresh retry schedule); meant for the dead-letter list. */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/deliveries/{id}/replay',
      tags,
      summary: 'Send a delivery again (a fresh retry schedule)',
      security: TENANT,
      request: { params: pathParams('id') },
      responses: {
        202: jsonContent(DeliverySchema, 'The delivery, pending again'),
        ...errors('unauthorized', 'not_found', 'invalid_state', 'conflict'),
      },
    }),
    async (c) => {
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
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags,
      summary: 'Delete a webhook endpoint',
      security: TENANT,
      request: { params: pathParams('id') },
      responses: { 204: { description: 'Deleted' }, ...errors('unauthorized', 'not_found') },
    }),
    async (c) => {
      if (!(await deps.webhooks.deleteEndpoint(c.get('tenantId'), c.req.param('id')))) {
        throw new AppError('not_found', 'Webhook endpoint not found.');
      }
      return c.body(null, 204);
    },
  );

  return app;
};
