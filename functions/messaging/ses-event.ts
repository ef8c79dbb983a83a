import { AppError } from '../../shared/errors.js';
import type { DeliveryReceipt } from '../../shared/messaging/ports.js';

/**
 * SES email events, as the stack's configuration-set event destination publishes them to its SNS
 * topic (infra/constructs/mail-sending.ts). SNS hands the Lambda `{Records: [{Sns: {Message,
 * Timestamp, …}}]}`; each `Message` is the SES event as JSON:
 * `{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",
 *   "bouncedRecipients":[{"emailAddress":"…","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],
 *   "timestamp":"…"},"mail":{"messageId":"…","timestamp":"…",…}}`.
 * The older identity-notification form says `notificationType` instead of `eventType` and has
 * the same `bounce` / `complaint` / `delivery` / `mail` objects.
 *
 * `mail.messageId` is SendEmail's MessageId, which the delivery log recorded when it sent. Only
 * the id, the outcome, the time and a short reason are read: the addresses (destination, headers,
 * bounced recipients) are never kept or logged, and are cut out of the provider's diagnostic text.
 * Pure: no I/O; functions/messaging/apply-ses-events.ts applies what this returns.
 */

/** The message tag naming the outbox item that owes an email (functions/aws/ses-mailer.ts sets it). */
export const OUTBOX_TAG = 'kyso-outbox';

/**
 * The SES event types the configuration set publishes (CreateConfigurationSetEventDestination's
 * MatchingEventTypes): SES took a message (Send, which names the outbox item that owed it), and
 * every outcome that says whether it reached its recipient. The stack (infra/constructs/mail-sending.ts)
 * and the local bootstrap use this list.
 */
export const MAIL_EVENT_TYPES = ['send', 'bounce', 'complaint', 'delivery', 'reject', 'renderingFailure'] as const;

/** The stored reason's length (like SNS SMS receipts). */
const MAX_DETAIL = 200;
/** SNS gives a Lambda one record per invocation; more than this is not an SNS event. */
const MAX_RECORDS = 100;

export interface SesReport {
  readonly messageId: string;
  readonly receipt: DeliveryReceipt;
}

/**
 * SES took a message an outbox item owes (its `Send` event, tagged by the mailer): the item is marked,
 * so a worker that died before recording it does not send it again (shared/messaging/owed-email.ts).
 */
export interface SesSendReport {
  readonly messageId: string;
  readonly outboxRef: string;
  readonly at: string;
}

/** Why a message was not a receipt we apply (counted, never an error: SNS would retry it forever). */
export type SesSkip = 'not_json' | 'no_message_id' | 'ignored_event';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** Email addresses, bracketed or not, in a provider's text. */
const ADDRESS = /<?[^\s<>()[\]"',;:@]+@[^\s<>()[\]"',;:]+>?/g;

/** A provider's words made safe to store and show: no addresses, no control characters, short. */
export const redactDetail = (text: string): string =>
  text
    .replace(ADDRESS, '<address>')
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_DETAIL);

/** An SES timestamp as ISO (the receipts' order compares these strings), else the fallback. */
const isoTime = (value: unknown, fallback: string): string => {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
};

/** "550 5.1.1 user unknown" out of "smtp; 550 5.1.1 <x@y>: user unknown" (the DSN's type prefix dropped). */
const diagnosticOf = (bounce: Json): string | undefined => {
  const recipients = Array.isArray(bounce.bouncedRecipients) ? bounce.bouncedRecipients : [];
  for (const r of recipients) {
    const code = str(obj(r)?.diagnosticCode) ?? str(obj(r)?.status);
    if (code) return code.replace(/^smtp;\s*/i, '');
  }
  return undefined;
};

/**
 * One SES event (the SNS message text) → a receipt for the message it names, or why not.
 * `fallbackAt`: when the event carries no usable time (SNS's own Timestamp).
 */
export const parseSesEvent = (message: string, fallbackAt: string): SesReport | SesSendReport | SesSkip => {
  let event: Json | undefined;
  try {
    event = obj(JSON.parse(message));
  } catch {
    return 'not_json';
  }
  if (!event) return 'not_json';
  const mail = obj(event.mail);
  const messageId = str(mail?.messageId);
  // SES message ids: letters, digits, dashes (e.g. 010001…-…-000000); anything else is not ours.
  if (!messageId || !/^[A-Za-z0-9._-]{1,200}$/.test(messageId)) return 'no_message_id';
  const sentAt = isoTime(mail?.timestamp, fallbackAt);
  const type = str(event.eventType) ?? str(event.notificationType);
  const report = (status: DeliveryReceipt['status'], at: string, detail?: string): SesReport => ({
    messageId,
    receipt: { status, at, ...(detail ? { detail: redactDetail(detail) } : {}) },
  });
  switch (type) {
    case 'Delivery': {
      const delivery = obj(event.delivery) ?? {};
      return report('delivered', isoTime(delivery.timestamp, sentAt));
    }
    case 'Bounce': {
      const bounce = obj(event.bounce) ?? {};
      const kind = `${str(bounce.bounceType) ?? 'Undetermined'}/${str(bounce.bounceSubType) ?? 'Undetermined'}`;
      const diagnostic = diagnosticOf(bounce);
      // Every bounce is a failure of this message, Transient ones included: SES publishes a soft
      // bounce only after it has stopped retrying the message (mailbox full, message too large,
      // greylisted too long), so it will not arrive. The reason keeps "Transient/…" so the sender
      // sees that a resend may work later, unlike "Permanent/…" (and SES suppresses only those).
      return report('failed', isoTime(bounce.timestamp, sentAt), `bounce: ${kind}${diagnostic ? ` — ${diagnostic}` : ''}`);
    }
    case 'Complaint': {
      const complaint = obj(event.complaint) ?? {};
      const feedback = str(complaint.complaintFeedbackType);
      return report('failed', isoTime(complaint.timestamp, sentAt), `complaint${feedback ? `: ${feedback}` : ''}`);
    }
    case 'Reject': {
      // SES refused to send it (a virus found); the event has no time of its own.
      const reason = str(obj(event.reject)?.reason);
      return report('failed', sentAt, `reject${reason ? `: ${reason}` : ''}`);
    }
    case 'Rendering Failure': {
      const error = str(obj(event.failure)?.errorMessage);
      return report('failed', sentAt, `rendering failure${error ? `: ${error}` : ''}`);
    }
    case 'Send': {
      // mail.tags: {"<name>": ["<value>"]}; only our own tag is read.
      const values = obj(mail?.tags)?.[OUTBOX_TAG];
      const outboxRef = Array.isArray(values) ? str(values[0]) : undefined;
      return outboxRef && /^[A-Za-z0-9_-]{1,256}$/.test(outboxRef) ? { messageId, outboxRef, at: sentAt } : 'ignored_event';
    }
    default:
      // Open, Click, DeliveryDelay, Subscription, AmazonSnsSubscriptionSucceeded: not a receipt.
      return 'ignored_event';
  }
};

export interface SesNotification {
  readonly message: string;
  /** SNS's Timestamp of the notification, ISO. */
  readonly publishedAt: string;
}

/**
 * The notifications of an SNS event, as the Lambda receives it; anything that is not that shape is
 * refused (400 behind POST /dev/ses-events). `now` stands in for a missing SNS Timestamp.
 */
export const readSnsNotifications = (event: unknown, now: string): SesNotification[] => {
  const records = obj(event)?.Records;
  if (!Array.isArray(records) || records.length === 0 || records.length > MAX_RECORDS) {
    throw new AppError('bad_request', `Not an SNS event: Records must be a list of 1 to ${MAX_RECORDS} notifications.`);
  }
  return records.map((r, i) => {
    const sns = obj(obj(r)?.Sns);
    const message = sns?.Message;
    if (typeof message !== 'string')
      throw new AppError('bad_request', `Records[${i}].Sns.Message must be a string (the SES event as JSON).`);
    return { message, publishedAt: isoTime(sns?.Timestamp, now) };
  });
};
