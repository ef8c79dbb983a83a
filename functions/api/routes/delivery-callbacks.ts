import { createHash, timingSafeEqual } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../shared/errors.js';
import { applyDeliveryReceipt } from '../../../shared/messaging/apply-receipt.js';
import { readSecret } from '../../aws/admin-key-secret.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonContent } from '../openapi.js';

const MAX_CALLBACK_BYTES = 64 * 1024;

/**
 * Delivery receipts pushed by providers. Zalo posts OA webhook events signed with
 * `X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + oa_secret_key)`; only a valid
 * signature is read, and only `user_received_message` changes anything. (SMS receipts come
 * from SNS delivery-status logs instead: functions/messaging/sns-delivery-logs.ts.)
 */
export const deliveryCallbackRoutes = (deps: AppDeps) => {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/zalo',
      tags: ['Callbacks'],
      summary: 'Zalo OA webhook: ZNS delivery receipts',
      description:
        'Configured in the Zalo OA as the webhook URL. Checked with X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret key); `user_received_message` marks the message delivered. 401 for a bad signature.',
      // A plain schema: the signature is over the raw body, so the handler reads it itself.
      request: { body: { required: true, content: { 'application/json': { schema: { type: 'object' } } } } },
      responses: {
        200: jsonContent(z.object({ ok: z.literal(true) }), 'Received'),
        ...errors('unauthorized', 'not_found', 'bad_request', 'payload_too_large'),
      },
    }),
    async (c) => {
      const secret = deps.zaloCallback;
      if (!secret) throw new AppError('not_found', 'Zalo callbacks are not configured.');
      const raw = await c.req.text();
      if (raw.length > MAX_CALLBACK_BYTES) throw new AppError('payload_too_large', 'Callback body too large.');
      let event: { app_id?: unknown; event_name?: unknown; timestamp?: unknown; message?: { msg_id?: unknown; delivery_time?: unknown } };
      try {
        event = JSON.parse(raw);
      } catch {
        throw new AppError('bad_request', 'The body is not valid JSON.');
      }
      const given = /^mac=([0-9a-f]{64})$/.exec(c.req.header('x-zevent-signature') ?? '')?.[1];
      const oaSecretKey = await readSecret(secret.oaSecretKey);
      const expected = createHash('sha256')
        .update(`${secret.appId}${raw}${String(event.timestamp ?? '')}${oaSecretKey}`)
        .digest();
      if (!given || event.app_id !== secret.appId || !timingSafeEqual(Buffer.from(given, 'hex'), expected)) {
        throw new AppError('unauthorized', 'Bad callback signature.');
      }
      const msgId = event.message?.msg_id;
      if (event.event_name === 'user_received_message' && typeof msgId === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(msgId)) {
        const ms = Number(event.message?.delivery_time ?? event.timestamp);
        const at = Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : deps.clock.now().toISOString();
        await applyDeliveryReceipt(deps, 'zns', msgId, { status: 'delivered', at });
      }
      return c.json({ ok: true as const }, 200);
    },
  );
  return app;
};
