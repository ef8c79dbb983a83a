import type { EnvelopeDeps } from '../envelope/deps.js';
import type { OutboxItem } from '../envelope/effects.js';
import type { MailMessage } from '../envelope/ports.js';
import type { Envelope, Recipient } from '../envelope/types.js';
import { randomId } from '../util/bytes.js';
import { applyDeliveryReceipt } from './apply-receipt.js';
import { sendOwedEmail } from './owed-email.js';
import { type Channel, type Delivery, type MessageKind, MessengerError, type PhoneMessage, type SentMessage } from './ports.js';

/** A recipient's channels: as the sender chose, else email if there is one, else SMS. */
export const recipientChannels = (r: Pick<Recipient, 'email' | 'phone' | 'channels'>): readonly Channel[] =>
  r.channels?.length ? r.channels : r.email ? ['email'] : r.phone ? ['sms'] : [];

/** One message for a recipient, in each channel's form. */
export interface RecipientMessage {
  readonly kind: MessageKind;
  /** Absent: this message is not sent by email (e.g. a code the sender asked to go by SMS). */
  readonly mail?: MailMessage;
  /** SMS body in the SMS form (shared/messaging/sms-text.ts). */
  readonly sms: string;
  /** ZNS template parameters, with diacritics. */
  readonly zalo: Readonly<Record<string, string>>;
}

export interface Sent {
  readonly channel: Channel;
  readonly messageId?: string;
  /** Set when this message went by SMS because Zalo failed. */
  readonly fallbackFrom?: 'zalo';
}

/**
 * Records a message a provider took (status `sent`), so its receipts — SNS delivery status, ZNS
 * callbacks, SES events — can update it. A receipt that came before this record (parked) is
 * applied now, audited like any receipt.
 */
export const recordSentMessage = async (
  deps: EnvelopeDeps,
  envelope: Pick<Envelope, 'tenantId' | 'id'>,
  recipient: Recipient,
  kind: MessageKind,
  channel: Channel,
  taken: { readonly provider: Delivery['provider']; readonly messageId: string },
): Promise<void> => {
  const at = deps.clock.now().toISOString();
  const early = await deps.deliveries.record({
    tenantId: envelope.tenantId,
    envelopeId: envelope.id,
    recipientId: recipient.id,
    channel,
    provider: taken.provider,
    messageId: taken.messageId,
    kind,
    status: 'sent',
    sentAt: at,
    updatedAt: at,
  });
  if (early) await applyDeliveryReceipt(deps, taken.provider, taken.messageId, early);
};

/**
 * Sends one message to a recipient over `channels` (default: the recipient's). Zalo that fails
 * for any reason (no Zalo account, template refused, outage, not configured) falls back to SMS,
 * and the failure is audited (`recipient.message_fallback`) with the provider's reason. Every
 * message (email, SMS, Zalo) is recorded in the delivery log so receipts can update it.
 * Throws only if no channel could take the message. `item`: the outbox item that owes the message,
 * whose email is then sent once across crashes (sendOwedEmail).
 */
export const sendToRecipient = async (
  deps: EnvelopeDeps,
  envelope: Pick<Envelope, 'tenantId' | 'id'>,
  recipient: Recipient,
  message: RecipientMessage,
  channels: readonly Channel[] = recipientChannels(recipient),
  item?: OutboxItem,
): Promise<Sent[]> => {
  const sent: Sent[] = [];
  const viaPhone = async (channel: 'sms' | 'zalo'): Promise<SentMessage> => {
    const messenger = deps.messengers?.[channel];
    if (!messenger) throw new MessengerError('not_configured', `${channel} is not configured on this deployment`);
    if (!recipient.phone) throw new MessengerError('invalid_number', 'the recipient has no phone number');
    const out: PhoneMessage = {
      to: recipient.phone,
      kind: message.kind,
      text: message.sms,
      params: message.zalo,
      trackingId: randomId(12),
    };
    const result = await messenger.send(out);
    await recordSentMessage(deps, envelope, recipient, message.kind, channel, result);
    return result;
  };
  for (const channel of channels) {
    if (channel === 'email') {
      if (!message.mail || !recipient.email) continue;
      const result = await sendOwedEmail(deps, message.mail, item);
      if (message.kind === 'completed') deps.crashPoint?.('completion-email-taken');
      await recordSentMessage(deps, envelope, recipient, message.kind, 'email', result);
      sent.push({ channel, messageId: result.messageId });
    } else if (channel === 'sms') {
      if (sent.some((s) => s.channel === 'sms')) continue;
      sent.push({ channel, messageId: (await viaPhone('sms')).messageId });
    } else {
      try {
        sent.push({ channel, messageId: (await viaPhone('zalo')).messageId });
      } catch (e) {
        if (!(e instanceof MessengerError)) throw e;
        await deps.deliveries.recordFailure({
          tenantId: envelope.tenantId,
          envelopeId: envelope.id,
          recipientId: recipient.id,
          channel: 'zalo',
          kind: message.kind,
          reason: e.reason,
          at: deps.clock.now().toISOString(),
          fellBackTo: 'sms',
        });
        await deps.audit.append(envelope.tenantId, envelope.id, {
          at: deps.clock.now().toISOString(),
          action: 'recipient.message_fallback',
          actor: { type: 'system' },
          data: {
            recipientId: recipient.id,
            kind: message.kind,
            from: 'zalo',
            to: 'sms',
            reason: e.reason,
            ...(e.providerCode !== undefined ? { providerCode: e.providerCode } : {}),
          },
        });
        if (!channels.includes('sms')) sent.push({ channel: 'sms', messageId: (await viaPhone('sms')).messageId, fallbackFrom: 'zalo' });
      }
    }
  }
  if (sent.length === 0) throw new MessengerError('not_configured', 'no channel could take the message');
  return sent;
};
