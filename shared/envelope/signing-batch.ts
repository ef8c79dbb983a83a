/**
 * Which waiting signers of one envelope are built and committed together (issue 14, "many
 * signers at once"). Pure: the planner in commit-signer-revision.ts asks it at each turn.
 *
 * Signers of one envelope build one after another, each revision appended to the one before,
 * so their order is fixed anyway; what costs is each commit (the envelope read, the outbox
 * items, the conditional write, the lease). A turn therefore takes the signer at the head of
 * the queue and every signer queued behind them that can build on whatever revision comes
 * before theirs, up to `max`, and commits them as one state change — the same outcome as
 * committing them one by one in arrival order, for one commit's cost.
 *
 * The turn is chosen once the envelope's revision lease is held, so everyone who arrived while
 * the previous turn (or the lease) was awaited goes in it: the first turn is not one signer
 * alone. It is bounded twice: by count (`max`) and by time — the builder stops adding signers
 * once the turn has built for `TURN_BUILD_BUDGET_MS` (`isTurnFull`), and the rest go first in
 * the next turn, so no signer waits behind an unbounded turn (API Gateway cuts at 29 s).
 *
 * A pinned signer (a USB token or remote CA signed hashes of one exact revision at prepare)
 * cannot build on another revision: it only ever heads a turn, and ends the turn before it.
 */
export interface QueuedSigner {
  /** The revision can be rebuilt on any base (platform signing, seal), not pinned to one. */
  readonly rebuildable: boolean;
  /** When the signer started waiting (ms since epoch). */
  readonly queuedAt: number;
}

export const MAX_SIGNERS_PER_COMMIT = 50;

/** A turn stops taking signers once it has built this long (the rest go first in the next turn). */
export const TURN_BUILD_BUDGET_MS = 4000;

/** Whether a turn that has built `built` signers in `elapsedMs` takes no more (it always takes one). */
export const isTurnFull = (built: number, elapsedMs: number, budgetMs = TURN_BUILD_BUDGET_MS): boolean =>
  built > 0 && elapsedMs >= budgetMs;

export interface Turn<T extends QueuedSigner> {
  /** Built and committed together, in this order. */
  readonly batch: readonly T[];
  /** Waited longer than allowed: answered 503 without building. */
  readonly expired: readonly T[];
  /** Still waiting for a later turn. */
  readonly rest: readonly T[];
}

export const nextTurn = <T extends QueuedSigner>(
  queue: readonly T[],
  now: number,
  waitMs: number,
  max = MAX_SIGNERS_PER_COMMIT,
): Turn<T> => {
  const expired = queue.filter((s) => now - s.queuedAt > waitMs);
  const live = queue.filter((s) => now - s.queuedAt <= waitMs);
  const batch: T[] = [];
  for (const s of live) {
    if (batch.length >= max) break;
    if (batch.length > 0 && !s.rebuildable) break;
    batch.push(s);
  }
  return { batch, expired, rest: live.slice(batch.length) };
};
