import { createRoute, z } from '@hono/zod-openapi';
import { getEnvelopeOrThrow } from '../../../shared/envelope/update-envelope.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonContent, pathParams, TENANT } from '../openapi.js';

const DeliverySchema = z.object({
  recipientId: z.string(),
  channel: z.string().openapi({ description: 'email, sms, zalo', example: 'email' }),
  kind: z.string().openapi({ description: 'invitation, reminder, otp, completed' }),
  status: z.string().openapi({ description: 'sent → delivered | failed as receipts arrive' }),
  messageId: z.string(),
  sentAt: z.string(),
  updatedAt: z.string(),
  detail: z.string().optional(),
});

/**
 * Messages (email, SMS, Zalo) sent for an envelope and what the providers' receipts said:
 * `sent` → `delivered` or `failed`. The console's envelope page lists them.
 */
export const deliveryRoutes = (deps: AppDeps) => {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/deliveries',
      tags: ['Envelopes'],
      summary: 'Email, SMS and Zalo messages of an envelope and their delivery status',
      description:
        "One entry per message handed to a provider (SES for email, SNS for SMS, ZNS for Zalo): recipientId, channel, kind (invitation, reminder, otp, completed), status sent → delivered | failed as receipts arrive (SES bounce/complaint/delivery events, SNS delivery status, ZNS callbacks), detail: the provider's reason for a failure (never an address).",
      security: TENANT,
      request: { params: pathParams('id') },
      responses: {
        200: jsonContent(z.object({ deliveries: z.array(DeliverySchema) }), 'The messages'),
        ...errors('unauthorized', 'envelope_not_found'),
      },
    }),
    async (c) => {
      const envelope = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
      const items = await deps.deliveries.list(envelope.tenantId, envelope.id);
      return c.json(
        {
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
        },
        200,
      );
    },
  );
  return app;
};
