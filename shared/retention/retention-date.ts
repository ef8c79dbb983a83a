import type { Envelope } from '../envelope/types.js';
import { type ContractKind, DEFAULT_RETENTION, type RetentionClass, type RetentionSettings } from './types.js';

const DAY = 86_400_000;

/** The tenant's classes over the defaults (a tenant may override one kind only). */
export const effectiveRetention = (tenant: { readonly retention?: Partial<RetentionSettings> } | undefined): RetentionSettings => ({
  ...DEFAULT_RETENTION,
  ...(tenant?.retention ?? {}),
});

export const contractKindOf = (envelope: Pick<Envelope, 'contractKind'>): ContractKind => envelope.contractKind ?? 'other';

const addYears = (from: Date, years: number): Date => {
  const d = new Date(from.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
};

/**
 * Until when a completed envelope must be kept: its class's years from completion or from the
 * contract's end (when the class counts from there and the envelope has an end date), and
 * never before the deployment's minimum lock (KYSO_LOCK_DAYS after completion).
 */
export const retentionUntil = (
  envelope: Pick<Envelope, 'contractKind' | 'contractEndsAt' | 'completedAt'>,
  settings: RetentionSettings,
  options: { readonly now: Date; readonly floorDays?: number },
): { kind: ContractKind; class: RetentionClass; from: Date; until: Date } => {
  const kind = contractKindOf(envelope);
  const cls = settings[kind];
  const completed = envelope.completedAt ? new Date(envelope.completedAt) : options.now;
  const from = cls.from === 'contractEnd' && envelope.contractEndsAt ? new Date(envelope.contractEndsAt) : completed;
  const byClass = addYears(from, cls.years);
  const floor = new Date(completed.getTime() + (options.floorDays ?? 0) * DAY);
  return { kind, class: cls, from, until: byClass > floor ? byClass : floor };
};
