import { repairCompletedEnvelope } from '../../shared/envelope/owed-effects.js';
import { drainOutbox } from './effects.js';
import type { JobDeps } from './jobs.js';

/** An owed effect older than this is "stuck": logged as an error, which the OutboxStuck alarm counts. */
export const STUCK_AFTER_MS = 15 * 60_000;

export interface RepairResult {
  /** Owed effects performed by this sweep. */
  readonly performed: number;
  readonly failed: number;
  /** Items whose commit never happened, deleted. */
  readonly orphaned: number;
  /** Effects still owed after STUCK_AFTER_MS (each logged as an error: the alarm). */
  readonly stuck: number;
  /** Completed envelopes that were missing their signed audit head and now owe it again. */
  readonly repairedHeads: number;
}

/**
 * The repair sweep (scheduled every few minutes; `POST /dev/scheduler/outbox` locally): performs
 * everything owed and due (whatever a dead worker or a lost wake left behind), reports what
 * stays owed too long (an error log per item: the alarm), and checks the completed envelopes
 * still on the scheduler's list (their `open-index` removal is itself owed) for a signed head.
 * `at` runs it as of that instant (claims, backoff and "stuck" judged then; `?now=` locally).
 */
export const runRepairSweep = async (deps: JobDeps, at?: Date): Promise<RepairResult> => {
  const now = at ?? new Date();
  const drained = await drainOutbox(deps, at);
  const stuckItems = await deps.outbox.olderThan(new Date(now.getTime() - STUCK_AFTER_MS), 100);
  for (const item of stuckItems) {
    deps.logger.error('owed effect stuck', {
      tenantId: item.tenantId,
      envelopeId: item.envelopeId,
      item: item.id,
      kind: item.effect.kind,
      attempts: item.attempts,
      cause: item.lastError ?? 'never attempted',
    });
  }
  let repairedHeads = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.openEnvelopes.list(cursor);
    cursor = page.cursor;
    for (const { tenantId, envelopeId } of page.items) {
      const envelope = await deps.envelopes.get(tenantId, envelopeId);
      if (envelope && (await repairCompletedEnvelope(deps, envelope))) repairedHeads++;
    }
  } while (cursor);
  return { performed: drained.done, failed: drained.failed, orphaned: drained.orphaned, stuck: stuckItems.length, repairedHeads };
};
