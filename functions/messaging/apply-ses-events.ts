import type { EnvelopeDeps } from '../../shared/envelope/deps.js';
import { applyDeliveryReceipt } from '../../shared/messaging/apply-receipt.js';
import { parseSesEvent, readSnsNotifications } from './ses-event.js';

export interface SesEventsResult {
  /** Receipts applied to an email we sent, and Send events recorded on the outbox item that owed the email. */
  readonly applied: number;
  /**
   * Receipts that changed nothing: a message id this deployment has no record of (parked a day for
   * a record that may still land), or a receipt already applied or older than the one applied.
   */
  readonly unmatched: number;
  /** Notifications that were not receipts (Send of a message no item owes, Open, Click, junk). */
  readonly skipped: number;
}

/**
 * Applies every SES event of one SNS event to the delivery log and the audit trail
 * (`applyDeliveryReceipt`: once, in time order). The same code behind the Lambda
 * (functions/messaging/ses-events.ts) and, locally, POST /dev/ses-events.
 */
export const applySesEvents = async (deps: EnvelopeDeps, event: unknown): Promise<SesEventsResult> => {
  const notifications = readSnsNotifications(event, deps.clock.now().toISOString());
  let applied = 0;
  let unmatched = 0;
  let skipped = 0;
  for (const n of notifications) {
    const report = parseSesEvent(n.message, n.publishedAt);
    if (typeof report === 'string') {
      skipped++;
      continue;
    }
    if ('outboxRef' in report) {
      // SES took an email an outbox item owes: recorded on the item (once is enough; a retired item is gone).
      if (await deps.outbox.markEmailAccepted(report.outboxRef, report.messageId, new Date(report.at))) applied++;
      else unmatched++;
      continue;
    }
    if (await applyDeliveryReceipt(deps, 'ses', report.messageId, report.receipt)) applied++;
    else unmatched++;
  }
  return { applied, unmatched, skipped };
};
