import type { Envelope } from '../envelope/types.js';
import { type ContractKind, DEFAULT_RETENTION, type RetentionClass, type RetentionSettings } from './types.js';

const DAY = 86_400_000;

/** The tenant's classes over the defaults (a tenant may override one kind only). */
export const effectiveRetention = (tenant: { readonly retention?: Partial<RetentionSettings> } | undefined): RetentionSettings => ({
  ...DEFAULT_RETENTION,
  ...(tenant?.retention ?? {}),
});

/** The sender's kind, else a labour contract (Decree 337, issue 13) is one, else `other`. */
export const contractKindOf = (envelope: Pick<Envelope, 'contractKind' | 'labourContract'>): ContractKind =>
  envelope.contractKind ?? (envelope.labourContract ? 'labourContract' : 'other');

/** The sender's end date, else a fixed-term labour contract's (an indefinite one has none: completion counts). */
const contractEndOf = (envelope: Pick<Envelope, 'contractEndsAt' | 'labourContract'>): string | undefined =>
  envelope.contractEndsAt ?? (envelope.labourContract?.act === 'contract' ? envelope.labourContract.terms.endDate : undefined);

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
  envelope: Pick<Envelope, 'contractKind' | 'contractEndsAt' | 'completedAt' | 'labourContract'>,
  settings: RetentionSettings,
  options: { readonly now: Date; readonly floorDays?: number },
): { kind: ContractKind; class: RetentionClass; from: Date; until: Date } => {
  const kind = contractKindOf(envelope);
  const cls = settings[kind];
  const completed = envelope.completedAt ? new Date(envelope.completedAt) : options.now;
  const end = contractEndOf(envelope);
  const from = cls.from === 'contractEnd' && end ? new Date(end) : completed;
  const byClass = addYears(from, cls.years);
  const floor = new Date(completed.getTime() + (options.floorDays ?? 0) * DAY);
  return { kind, class: cls, from, until: byClass > floor ? byClass : floor };
};
