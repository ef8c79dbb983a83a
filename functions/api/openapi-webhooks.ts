import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../../shared/webhooks/events.js';
import { createWebhookSchema } from './routes/webhooks.js';

const errors = {
  '4XX': { description: 'Client error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
};
const security = [{ apiKey: [] }];
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Any POST under /v1: the first response (status and body) is kept 24 h and replayed to retries with the same key (header Idempotent-Replayed: true); the request runs once. 409 idempotency_in_progress while the first is running, 422 idempotency_key_reused for another body.',
  schema: { type: 'string', maxLength: 255 },
};
const path = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

/** /v1/webhooks in the OpenAPI document (functions/api/openapi.ts spreads these into `paths`). */
export const webhookPaths = {
  '/v1/webhooks': {
    post: {
      summary: 'Register a webhook endpoint',
      description: `https:// URL (http://127.0.0.1 in local mode) and the events to receive: ${WEBHOOK_EVENTS.join(', ')}. The response carries the signing secret, shown only once. Each delivery is a POST of {id, type, createdAt, data} with headers Kyso-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>, Kyso-Delivery and Kyso-Event; non-2xx answers are retried with exponential backoff for about a day, then listed as failed.`,
      security,
      parameters: [idempotencyKey],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              ...z.toJSONSchema(createWebhookSchema, { io: 'input' }),
              properties: {
                url: { type: 'string', format: 'uri' },
                events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS] } },
                description: { type: 'string' },
              },
            },
          },
        },
      },
      responses: { 201: { description: '{ id, url, events, createdAt, secret }' }, ...errors },
    },
    get: { summary: 'List webhook endpoints (without secrets)', security, responses: { 200: { description: '{ items }' }, ...errors } },
  },
  '/v1/webhooks/{id}': {
    delete: {
      summary: 'Delete a webhook endpoint',
      security,
      parameters: [path('id')],
      responses: { 204: { description: 'Deleted' }, ...errors },
    },
  },
  '/v1/webhooks/deliveries': {
    get: {
      summary: 'Deliveries, newest first; status=failed is the dead-letter list',
      security,
      parameters: [
        { name: 'status', in: 'query', schema: { type: 'string', enum: ['pending', 'succeeded', 'failed'] } },
        { name: 'limit', in: 'query', schema: { type: 'integer' } },
        { name: 'cursor', in: 'query', schema: { type: 'string' } },
      ],
      responses: {
        200: { description: '{ items: [{ id, endpointId, url, eventId, eventType, status, attempts, … }], cursor? }' },
        ...errors,
      },
    },
  },
  '/v1/webhooks/deliveries/{id}/replay': {
    post: {
      summary: 'Send a delivery again (a fresh retry schedule)',
      security,
      parameters: [path('id'), idempotencyKey],
      responses: { 202: { description: 'The delivery, pending again' }, ...errors },
    },
  },
};
