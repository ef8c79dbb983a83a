import type { EnvelopeDeps } from '../envelope/deps.js';
import type { OutboxItem } from '../envelope/effects.js';
import type { MailMessage, SentMail } from '../envelope/ports.js';

/** SES's Send events usually arrive within seconds; after this long without one, an unconfirmed email is sent again. */
export const DEFAULT_SEND_EVENT_WAIT_MS = 5 * 60_000;

/**
 * An earlier run of this item may have handed its email to SES and died before recording it: the
 * item is not sent again before `until`, by when SES's Send event (which carries the item's
 * reference) has marked it if SES took it. The worker postpones the item to `until`.
 */
export class AwaitingSendEvent extends Error {
  override readonly name = 'AwaitingSendEvent';
  /** The worker postpones the item to this instant (shared/envelope/outbox-worker.ts reads `retryAt` of any error). */
  constructor(readonly retryAt: Date) {
    super(`an earlier attempt may have been accepted by SES; its Send event is awaited until ${retryAt.toISOString()}`);
  }
}

/**
 * Whether the item must still wait for SES's Send event of an earlier run's email (the error to
 * postpone it with), else undefined. Callers that prepare something for the email (a fresh link that
 * replaces the one that email may carry) check this first.
 */
export const awaitingSendEvent = (
  deps: Pick<EnvelopeDeps, 'clock' | 'sendEventWaitMs'>,
  item: Pick<OutboxItem, 'sendingAt' | 'emailMessageId'>,
): AwaitingSendEvent | undefined => {
  if (!item.sendingAt || item.emailMessageId) return undefined;
  const until = Date.parse(item.sendingAt) + (deps.sendEventWaitMs ?? DEFAULT_SEND_EVENT_WAIT_MS);
  return deps.clock.now().getTime() < until ? new AwaitingSendEvent(new Date(until)) : undefined;
};

/**
 * The provider answered and refused the message (an HTTP status came back: SES answers 200 only when
 * it takes a message), so it surely did not go. A timeout or a lost connection has no status: the
 * message may have gone, and only SES's Send event can tell.
 */
const surelyRefused = (e: unknown): boolean => {
  const status = (e as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
};

/**
 * Sends the email an outbox item owes, once, across crashes:
 * - SES already accepted it (the item holds its MessageId, from that run or from SES's Send event): nothing is sent;
 * - an earlier run was handing it over when it died (`sendingAt`, no MessageId): wait for the Send event
 *   (AwaitingSendEvent, which the worker logs as a warning) until `sendEventWaitMs` after that run, then send
 *   again (no event came: SES did not take it, or the event was lost);
 * - otherwise the hand-over is marked first and the email carries the item's reference as an SES tag,
 *   so SES's Send event records the MessageId on the item even if this run dies before its caller does.
 * Without an item (a message no outbox item owes) it is a plain send.
 */
export const sendOwedEmail = async (
  deps: Pick<EnvelopeDeps, 'mailer' | 'outbox' | 'clock' | 'sendEventWaitMs'>,
  mail: MailMessage,
  item?: OutboxItem,
): Promise<SentMail> => {
  if (!item) return deps.mailer.send(mail);
  if (item.emailMessageId) return { provider: 'ses', messageId: item.emailMessageId };
  const now = deps.clock.now();
  if (item.sendingAt) {
    const waiting = awaitingSendEvent(deps, item);
    if (waiting) throw waiting;
    // No Send event by now: SES did not take the earlier attempt (a timeout before it reached SES), or its
    // event was lost — the one way left to a duplicate. The worker's warning for the wait names the item.
  }
  await deps.outbox.markSending(item, now);
  const ref = deps.outbox.refOf(item);
  let sent: SentMail;
  try {
    sent = await deps.mailer.send(mail, ref ? { outboxRef: ref } : undefined);
  } catch (e) {
    if (surelyRefused(e)) await deps.outbox.markSending(item, undefined).catch(() => undefined);
    throw e;
  }
  // The caller records it at once (markSent, or retiring the item); a death before that is settled by SES's Send event.
  return sent;
};
