import { sweepRegistrations } from '../labour/sweep-registrations.js';
import { runRetentionSweep } from '../retention/renew-timestamps.js';
import { resumeSeals } from './apply-seal.js';
import type { EnvelopeDeps } from './deps.js';
import type { Effect } from './effects.js';
import { expireIfDue } from './end-envelope.js';
import { notifyRecipients } from './notify-recipients.js';
import { repairCompletedEnvelope } from './owed-effects.js';
import { activeOrder } from './routing.js';
import { commitTransition } from './transition.js';
import type { Envelope, Recipient } from './types.js';

/** `retention` (issue 17): unfinished archives (Object Lock) and document-timestamp renewals. */
export const SCHEDULED_TASKS = ['reminders', 'expiry', 'labour-registrations', 'retention'] as const;
export type ScheduledTaskName = (typeof SCHEDULED_TASKS)[number];

export interface SweepResult {
  readonly task: ScheduledTaskName;
  /** labour-registrations: not registered 20 h / 24 h after completion (the alarm counts `late`). */
  readonly late?: number;
  readonly overdue?: number;
  /** Open envelopes looked at. */
  readonly processed: number;
  /** Reminders sent, or envelopes expired. */
  readonly acted: number;
  readonly failed: number;
}

const HOUR = 3600_000;

/** A signer or approver whose turn it is, who has not acted, and whose next reminder is due. */
export const isReminderDue = (e: Envelope, r: Recipient, now: Date): boolean => {
  const o = e.reminders;
  if (!o || e.status !== 'sent' || (r.role !== 'signer' && r.role !== 'approver')) return false;
  if ((r.status !== 'notified' && r.status !== 'viewed') || r.order !== activeOrder(e)) return false;
  if ((r.remindersSent ?? 0) >= o.max || !r.notifiedAt) return false;
  const dueAt = r.lastRemindedAt ? Date.parse(r.lastRemindedAt) + o.intervalHours * HOUR : Date.parse(r.notifiedAt) + o.delayHours * HOUR;
  return dueAt <= now.getTime();
};

/**
 * Reminds every recipient who is due. A reminder carries a new link (tokens are stored only
 * hashed, so the first one cannot be re-sent); earlier links stay valid. Each reminder is
 * claimed in the envelope's conditional write first, so two sweeps never double-send.
 */
export const remindDue = (deps: EnvelopeDeps, envelope: Envelope): Promise<number> => sendReminders(deps, envelope, isReminderDue);

/** A sender's "remind now": anyone whose turn it is and who has not acted, at most once an hour. */
export const canRemindNow = (e: Envelope, r: Recipient, now: Date): boolean =>
  e.status === 'sent' &&
  (r.role === 'signer' || r.role === 'approver') &&
  (r.status === 'notified' || r.status === 'viewed') &&
  r.order === activeOrder(e) &&
  (!r.lastRemindedAt || Date.parse(r.lastRemindedAt) + HOUR <= now.getTime());

/**
 * Reminds every recipient `isDue` selects: each is claimed in the state (count, time) and a
 * message with a fresh link is owed (audited `recipient.reminded` once sent; the link is
 * made by the worker: tokens are stored only hashed, so the first one cannot be re-sent;
 * earlier links stay valid). Two sweeps never double-send: the second finds nobody due.
 */
export const sendReminders = async (
  deps: EnvelopeDeps,
  envelope: Envelope,
  isDue: (e: Envelope, r: Recipient, now: Date) => boolean,
  actor: { type: 'system' | 'tenant'; id?: string } = { type: 'system' },
): Promise<number> => {
  const now = deps.clock.now();
  if (!envelope.recipients.some((r) => isDue(envelope, r, now))) return 0;
  let claimed = 0;
  await commitTransition(
    deps,
    envelope.tenantId,
    envelope.id,
    (current) => {
      const due = current.recipients.filter((r) => isDue(current, r, now));
      claimed = due.length;
      if (due.length === 0) return undefined;
      const ids = new Set(due.map((r) => r.id));
      return {
        next: {
          ...current,
          recipients: current.recipients.map((r) =>
            ids.has(r.id) ? { ...r, remindersSent: (r.remindersSent ?? 0) + 1, lastRemindedAt: now.toISOString() } : r,
          ),
        },
        effects: due.map(
          (r): Effect => ({
            kind: 'link-message',
            recipientId: r.id,
            purpose: 'reminder',
            audit: { action: 'recipient.reminded', actor, data: { recipientId: r.id, reminder: (r.remindersSent ?? 0) + 1 } },
          }),
        ),
      };
    },
    { current: envelope },
  );
  return claimed;
};

/**
 * One sweep over the envelopes that are out for signing. `expiry` expires the overdue ones;
 * `reminders` also repairs routing (recipients whose turn came but who were never notified,
 * seals that could not be applied) and sends due reminders. Runs the same in Lambda
 * (EventBridge Scheduler) and locally (POST /dev/scheduler/{task}).
 */
export const runScheduledTask = async (deps: EnvelopeDeps, task: ScheduledTaskName): Promise<SweepResult> => {
  if (task === 'labour-registrations') return sweepRegistrations(deps);
  let processed = 0;
  let acted = 0;
  let failed = 0;
  if (task === 'retention') return { task, ...(await runRetentionSweep(deps)) };
  let cursor: string | undefined;
  do {
    const page = await deps.openEnvelopes.list(cursor);
    cursor = page.cursor;
    for (const { tenantId, envelopeId } of page.items) {
      try {
        const stored = await deps.envelopes.get(tenantId, envelopeId);
        if (stored?.status !== 'sent') {
          // A completed envelope leaves the list only with its audit head signed (owed again if it is not).
          if (stored && (await repairCompletedEnvelope(deps, stored))) continue;
          await deps.openEnvelopes.remove(tenantId, envelopeId);
          continue;
        }
        processed++;
        const envelope = await expireIfDue(deps, stored);
        if (envelope.status === 'expired') {
          if (task === 'expiry') acted++;
          continue;
        }
        if (task !== 'reminders') continue;
        const current = await resumeSeals(deps, await notifyRecipients(deps, envelope));
        acted += await remindDue(deps, current);
      } catch {
        failed++;
      }
    }
  } while (cursor);
  return { task, processed, acted, failed };
};
