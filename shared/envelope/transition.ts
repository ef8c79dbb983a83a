import { AppError } from '../errors.js';
import { randomId } from '../util/bytes.js';
import type { EnvelopeDeps } from './deps.js';
import type { Effect, OutboxItem, Transition } from './effects.js';
import type { Envelope } from './types.js';

/** How many commit ids an envelope remembers (an outbox item older than that many commits is judged by its age). */
export const COMMITS_KEPT = 100;

/** The outbox items of one commit: ids `<envelope>.<version>.<index>`, owed from now on. */
export const outboxItemsFor = (next: Envelope, effects: readonly Effect[], commitId: string, now: Date): OutboxItem[] =>
  effects.map((effect, index) => ({
    id: `${next.id}.${next.version}.${index}`,
    tenantId: next.tenantId,
    envelopeId: next.id,
    version: next.version,
    commitId,
    index,
    effect,
    createdAt: now.toISOString(),
    attempts: 0,
    notBefore: now.toISOString(),
  }));

export type CommitDeps = Pick<EnvelopeDeps, 'envelopes' | 'clock' | 'audit' | 'outbox' | 'outboxSignal'>;

export interface Committed {
  readonly before: Envelope;
  readonly after: Envelope;
  /** The effects now owed (empty when the use case changed nothing). */
  readonly items: readonly OutboxItem[];
  readonly attempts: number;
}

/**
 * The one commit step of every state change. `decide` is the use case: a function of the
 * current state that returns the next state and its effects (or undefined: nothing to do;
 * or throws an AppError to refuse). The state and one outbox item per effect are made durable
 * together (EnvelopeRepository.commit), conditional on the version; if another writer got
 * there first, `decide` runs again on the newer state. After the commit, this request
 * performs its own `audit` items at once (so the trail is current when it answers) and wakes
 * the worker for the rest; if it dies first, the worker or the repair sweep finishes them.
 *
 * Budget: N writers racing on one envelope commit one per round; signers do not race here
 * (shared/envelope/revision-lease.ts serialises them), so 30 is ample for the rest.
 */
export const commitTransition = async (
  deps: CommitDeps,
  tenantId: string,
  envelopeId: string,
  decide: (current: Envelope) => Promise<Transition | undefined> | Transition | undefined,
  options: {
    /** The state already read by the caller, used for the first attempt (one read less). */
    readonly current?: Envelope;
    readonly attempts?: number;
    /** Counts DynamoDB time (Server-Timing). */
    readonly time?: <T>(f: () => Promise<T>) => Promise<T>;
    /**
     * The caller appends the commit's audit events itself, later (`performAuditNow`): a signer
     * does it after giving back the revision lease, so the next signer does not wait for it.
     * The caller then also wakes the worker, after the audit events are in.
     */
    readonly deferAudit?: boolean;
  } = {},
): Promise<Committed> => {
  const time = options.time ?? (<T>(f: () => Promise<T>) => f());
  const budget = options.attempts ?? 30;
  let known = options.current;
  for (let attempt = 1; ; attempt++) {
    const before = known ?? (await time(() => deps.envelopes.get(tenantId, envelopeId)));
    known = undefined;
    if (!before) throw new AppError('envelope_not_found', 'Envelope not found.');
    const decided = await decide(before);
    if (!decided) return { before, after: before, items: [], attempts: attempt };
    // Outbox timing is wall-clock time, not the use case's clock (which a sweep may move).
    const now = new Date();
    const commitId = randomId(9);
    const after: Envelope = {
      ...decided.next,
      version: before.version + 1,
      updatedAt: deps.clock.now().toISOString(),
      commits: [...(before.commits ?? []), commitId].slice(-COMMITS_KEPT),
    };
    const items = outboxItemsFor(after, decided.effects, commitId, now);
    try {
      await time(() => deps.envelopes.commit(after, items));
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'conflict') || attempt >= budget) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 20 * 2 ** Math.min(attempt, 6))));
      continue;
    }
    if (options.deferAudit) return { before, after, items, attempts: attempt };
    const { retired } = await time(() => performAuditNow(deps, items));
    // The caller goes on once the events are in the trail; the worker is woken once their items are retired.
    if (items.length) void retired.then(() => deps.outboxSignal.notify(tenantId, envelopeId));
    return { before, after, items, attempts: attempt };
  }
};

/**
 * The committing request appends its own audit events at once, in order: one read of the
 * chain's end and one conditional put per event (`appendAll`, idempotent by the item's id, so
 * a worker that woke meanwhile and appends one too does not append it twice), then the items
 * are retired together. Resolves once the events are in the trail (the caller may answer
 * then); `retired` once their items are gone too (wake the worker then: woken before, it would
 * claim them only to find them done). A failure here is not the request's failure: the items
 * stay owed and the worker retries.
 */
export const performAuditNow = async (deps: CommitDeps, items: readonly OutboxItem[]): Promise<{ retired: Promise<void> }> => {
  const audits = items.filter((i) => i.effect.kind === 'audit');
  const first = audits[0];
  if (!first) return { retired: Promise.resolve() };
  try {
    await deps.audit.appendAll(
      first.tenantId,
      first.envelopeId,
      audits.map((i) => ({ event: (i.effect as Extract<Effect, { kind: 'audit' }>).event, effectId: i.id })),
    );
  } catch {
    return { retired: Promise.resolve() };
  }
  return { retired: deps.outbox.retireAll(audits).catch(() => undefined) };
};
