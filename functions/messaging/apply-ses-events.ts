import type { EnvelopeDeps } from '../../shared/envelope/deps.js';
import { applyDeliveryReceipt } from '../../shared/messaging/apply-receipt.js';
import { parseSesEvent, readSnsNotifications } from './ses-event.js';

export interface SesEventsResult {
  /** Receipts applied to an email we sent. */
  readonly applied: number;
  /**
   * Receipts that changed nothing: a message id this deployment has no record of (parked a day for
   * a record that may still land), or a receipt already applied or older than the one applied.
   */
  readonly unmatched: number;
  /** Notifications that were not receipts (Send, Open, Click, junk). */
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
    if (await applyDeliveryReceipt(deps, 'ses', report.messageId, report.receipt)) applied++;
    else unmatched++;
  }
  return { applied, unmatched, skipped };
};
