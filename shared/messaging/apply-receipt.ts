import type { EnvelopeDeps } from '../envelope/deps.js';
import type { Delivery, DeliveryStatus } from './ports.js';

/**
 * A provider's delivery receipt (SNS SMS delivery status, ZNS `user_received_message`):
 * updates the delivery record the console shows and is audited on the envelope it belongs to.
 * Unknown message ids (another deployment's, or forged) change nothing.
 */
export const applyDeliveryReceipt = async (
  deps: EnvelopeDeps,
  provider: Delivery['provider'],
  messageId: string,
  receipt: { status: DeliveryStatus; at: string; detail?: string },
): Promise<Delivery | undefined> => {
  const d = await deps.deliveries.applyReceipt(provider, messageId, receipt);
  if (!d) return undefined;
  if (d.status === 'failed') {
    await deps.deliveries.recordFailure({
      tenantId: d.tenantId,
      envelopeId: d.envelopeId,
      recipientId: d.recipientId,
      channel: d.channel,
      kind: d.kind,
      reason: receipt.detail ?? 'failed',
      at: receipt.at,
    });
  }
  await deps.audit.append(d.tenantId, d.envelopeId, {
    at: deps.clock.now().toISOString(),
    action: d.status === 'failed' ? 'recipient.message_failed' : 'recipient.message_delivered',
    actor: { type: 'system' },
    data: {
      recipientId: d.recipientId,
      channel: d.channel,
      provider,
      messageId,
      kind: d.kind,
      reportedAt: receipt.at,
      ...(receipt.detail ? { detail: receipt.detail } : {}),
    },
  });
  return d;
};
