import type { EnvelopeDeps } from '../envelope/deps.js';
import { audit } from '../envelope/effects.js';
import { commitTransition } from '../envelope/transition.js';
import type { Envelope } from '../envelope/types.js';
import type { LabourRegistration } from './types.js';

const HOUR = 3600_000;
/** Decree 337: the platform must have the contract within 24 hours of completion; we raise the alarm at 20. */
export const LATE_AFTER_MS = 20 * HOUR;
export const OVERDUE_AFTER_MS = 24 * HOUR;

export interface RegistrationSweepResult {
  readonly task: 'labour-registrations';
  /** Owed registrations looked at. */
  readonly processed: number;
  /** Delivery attempts queued. */
  readonly acted: number;
  readonly failed: number;
  /** Not registered 20 h after completion (the alarm's metric: > 0 raises it). */
  readonly late: number;
  /** Not registered 24 h after completion. */
  readonly overdue: number;
}

/** Why a registration is not there yet, in words for the overdue flag. */
export const overdueReason = (r: LabourRegistration): string =>
  r.status === 'rejected'
    ? `Nền tảng từ chối: ${r.reason ?? ''}`.trim()
    : r.lastError
      ? `Không gửi được tới Nền tảng sau ${r.attempts} lần: ${r.lastError}`
      : r.status === 'submitted'
        ? 'Nền tảng chưa trả lời kết quả đăng ký.'
        : 'Chưa gửi được tới Nền tảng.';

export const isLate = (r: LabourRegistration, now: Date) =>
  r.status !== 'registered' && now.getTime() - Date.parse(r.owedSince) >= LATE_AFTER_MS;
export const isOverdue = (r: LabourRegistration, now: Date) =>
  r.status !== 'registered' && now.getTime() - Date.parse(r.owedSince) >= OVERDUE_AFTER_MS;

/**
 * The outbox sweep of registrations (scheduler task `labour-registrations`): walks every
 * registration not yet registered — the index items written with the completing write —
 * queues a delivery for those due (a crash between completion and the first job, a lost
 * message), and flags the late (20 h: audited, counted for the alarm, shown in the console)
 * and the overdue (24 h, with the reason).
 */
export const sweepRegistrations = async (deps: EnvelopeDeps): Promise<RegistrationSweepResult> => {
  const result = { task: 'labour-registrations' as const, processed: 0, acted: 0, failed: 0, late: 0, overdue: 0 };
  const labour = deps.labour;
  if (!labour) return result;
  const now = deps.clock.now();
  let cursor: string | undefined;
  do {
    const page = await labour.index.listOwed(cursor);
    cursor = page.cursor;
    for (const { tenantId, envelopeId } of page.items) {
      try {
        const envelope = await deps.envelopes.get(tenantId, envelopeId);
        const reg = envelope?.labourContract?.registration;
        if (!envelope || !reg) continue;
        if (reg.status === 'registered') {
          await labour.index.record(envelope); // registered, but its owed item survived a crash
          continue;
        }
        result.processed++;
        if (reg.status !== 'rejected' && (!reg.nextAttemptAt || Date.parse(reg.nextAttemptAt) <= now.getTime())) {
          await labour.kick(tenantId, envelopeId);
          result.acted++;
        }
        if (isLate(reg, now)) result.late++;
        if (isOverdue(reg, now)) result.overdue++;
        await flag(deps, envelope, now);
      } catch {
        result.failed++;
      }
    }
  } while (cursor);
  return result;
};

/** Sets lateSince / overdueSince once each (a conditional write owing its audit event), then rewrites the projections. */
const flag = async (deps: EnvelopeDeps, envelope: Envelope, now: Date) => {
  const reg = envelope.labourContract?.registration;
  if (!reg) return;
  const { after } = await commitTransition(
    deps,
    envelope.tenantId,
    envelope.id,
    (current) => {
      const r = current.labourContract?.registration;
      if (!current.labourContract || !r || r.status === 'registered') return undefined;
      const late = isLate(r, now) && !r.lateSince;
      const overdue = isOverdue(r, now) && !r.overdueSince;
      if (!late && !overdue) return undefined;
      const next: LabourRegistration = {
        ...r,
        ...(late ? { lateSince: now.toISOString() } : {}),
        ...(overdue ? { overdueSince: now.toISOString(), overdueReason: overdueReason(r) } : {}),
      };
      return {
        next: { ...current, labourContract: { ...current.labourContract, registration: next } },
        effects: [
          audit({
            at: now.toISOString(),
            action: overdue ? 'labour_contract.registration_overdue' : 'labour_contract.registration_late',
            actor: { type: 'system' },
            data: { status: next.status, owedSince: next.owedSince, ...(overdue ? { reason: next.overdueReason } : {}) },
          }),
        ],
      };
    },
    { current: envelope },
  );
  // Also repairs projections a crash left behind (an envelope registered but still listed as owed).
  await deps.labour?.index.record(after);
};
