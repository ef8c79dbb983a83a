import type { EffectKind, OutboxItem } from './effects.js';
import type { EnvelopeRepository, OutboxStore } from './ports.js';
import { COMMITS_KEPT } from './transition.js';
import type { Envelope } from './types.js';

/** Performs one owed effect (functions/worker/effects.ts dispatches by kind). Throw = not done. */
export type PerformEffect = (item: OutboxItem) => Promise<void>;

/**
 * Performs several owed effects of one kind of one envelope together (e.g. ten invitations in
 * one commit): one outcome per item, undefined = done, an error = not done (retried alone).
 * `envelope`: the envelope as the drain read it, when nothing performed since could have changed
 * it (a hint: a commit made from it is still conditional on its version).
 */
export type PerformBatch = (items: readonly OutboxItem[], envelope?: Envelope) => Promise<readonly (Error | undefined)[]>;

/** How the worker performs items: one by one, or, for the kinds listed, all due items of one envelope together. */
export interface EffectPerformer {
  readonly one: PerformEffect;
  readonly batched?: Partial<Record<EffectKind, PerformBatch>>;
}

export interface OutboxWorkerDeps {
  readonly outbox: OutboxStore;
  readonly envelopes: Pick<EnvelopeRepository, 'get'>;
  readonly logger: {
    warn(message: string, data?: Record<string, unknown>): void;
    error(message: string, data?: Record<string, unknown>): void;
  };
}

/** An item whose commit is neither listed nor superseded after this long was prepared by a request that died. */
export const ORPHAN_AFTER_MS = 120_000;
/** How long a worker holds an item it is performing. */
export const CLAIM_MS = 60_000;
/** After a failure: 2 s, 4 s, … at most 15 minutes. */
export const retryDelayMs = (attempts: number): number => Math.min(15 * 60_000, 1000 * 2 ** Math.min(attempts, 10));

/**
 * Kinds that must happen in order within an envelope: a head signature after every audit event
 * before it, the archive (whose audit export ends with the head signature) after both.
 */
const ORDERED = new Set(['audit', 'head-signature', 'archive']);

export interface DrainResult {
  done: number;
  failed: number;
  orphaned: number;
}

/**
 * Kinds whose performing leaves the envelope item as it was: after only these, the envelope this
 * drain read is still current, and a batch is given it (one read less; a stale one would only cost
 * its commit a conflict and a fresh read).
 */
const LEAVE_ENVELOPE = new Set<EffectKind>(['audit', 'webhook', 'message', 'open-index']);

/**
 * Performs what one envelope owes, in (version, index) order. An item counts only if its
 * commit id is in the envelope's `commits` (the state change happened); one whose commit lost
 * or never came is an orphan and is deleted. A failure postpones the item with backoff and
 * holds back the ordered kinds behind it (audit events, the head signature); other kinds go on.
 * `at` judges claims, orphans and backoff as of that instant instead of now (the local repair
 * sweep's `?now=`: the crash test sweeps as if a dead worker's claims had run out).
 *
 * Calls: the items are claimed together in one write when there are several (else one by one,
 * as before: one of them was taken meanwhile), and the items done or orphaned are deleted
 * together at the end. A worker that dies before that leaves them claimed; once its claim runs
 * out they are performed again, which every handler allows (functions/worker/effects.ts).
 */
export const drainEnvelope = async (
  deps: OutboxWorkerDeps,
  performer: EffectPerformer,
  tenantId: string,
  envelopeId: string,
  known?: readonly OutboxItem[],
  at?: Date,
): Promise<DrainResult> => {
  const result: DrainResult = { done: 0, failed: 0, orphaned: 0 };
  const items = [...(known ?? (await deps.outbox.forEnvelope(tenantId, envelopeId)))].sort((a, b) =>
    a.version !== b.version ? a.version - b.version : a.index - b.index,
  );
  if (items.length === 0) return result;
  // Read after the items: any item whose commit landed before this read is judged correctly.
  const envelope = await deps.envelopes.get(tenantId, envelopeId);
  const committed = (item: OutboxItem) => !!envelope?.commits?.includes(item.commitId);
  const isDue = (item: OutboxItem, now: Date) => Date.parse(item.notBefore) <= now.getTime();
  // What this drain would claim if nothing changed meanwhile: committed, due, and not behind an
  // ordered item that is in flight, held or postponed.
  const startedAt = at ?? new Date();
  const claimable: OutboxItem[] = [];
  let held = false;
  for (const item of items) {
    const ordered = ORDERED.has(item.effect.kind);
    if (!committed(item) || !isDue(item, startedAt)) {
      if (ordered) held = true;
      continue;
    }
    if (!(ordered && held)) claimable.push(item);
  }
  const upfront =
    claimable.length > 1
      ? new Map((await deps.outbox.claimAll(claimable, startedAt, CLAIM_MS))?.map((c) => [c.id, c] as const) ?? [])
      : undefined;
  const claimedUpfront = upfront && upfront.size > 0 ? upfront : undefined;
  let blocked = false;
  let envelopeCurrent = true;
  const retired: OutboxItem[] = [];
  const released: OutboxItem[] = [];
  const batches = new Map<PerformBatch, OutboxItem[]>();
  const failed = async (claimed: OutboxItem, e: unknown) => {
    result.failed++;
    const error = `${(e as Error).name}: ${(e as Error).message}`.slice(0, 300);
    deps.logger.warn('owed effect failed, will retry', {
      tenantId,
      envelopeId,
      item: claimed.id,
      kind: claimed.effect.kind,
      attempts: claimed.attempts + 1,
      error: (e as Error).name,
    });
    // An error may say when to try again (AwaitingSendEvent: SES's Send event of an earlier attempt is awaited until then).
    const retryAt = (e as { retryAt?: unknown }).retryAt;
    const notBefore = retryAt instanceof Date ? retryAt : new Date((at ?? new Date()).getTime() + retryDelayMs(claimed.attempts + 1));
    await deps.outbox.postpone(claimed, notBefore, error).catch(() => undefined);
  };
  for (const item of items) {
    const now = at ?? new Date();
    if (!committed(item)) {
      const superseded = !!envelope && envelope.version >= item.version;
      if (!envelope || superseded || now.getTime() - Date.parse(item.createdAt) > ORPHAN_AFTER_MS) {
        if (superseded && envelope.version >= item.version + COMMITS_KEPT) {
          deps.logger.warn('outbox item judged orphaned beyond the kept commits', { tenantId, envelopeId, item: item.id });
        }
        retired.push(item);
        result.orphaned++;
      } else if (ORDERED.has(item.effect.kind)) {
        blocked = true; // its commit is still in flight
      }
      continue;
    }
    const ordered = ORDERED.has(item.effect.kind);
    const mine = claimedUpfront?.get(item.id);
    if (ordered && blocked) {
      if (mine) released.push(mine);
      continue;
    }
    const claimed = claimedUpfront ? mine : isDue(item, now) ? await deps.outbox.claim(item, now, CLAIM_MS) : undefined;
    if (!claimed) {
      if (ordered) blocked = true;
      continue;
    }
    const batch = ordered ? undefined : performer.batched?.[claimed.effect.kind];
    if (batch) {
      batches.set(batch, [...(batches.get(batch) ?? []), claimed]);
      continue;
    }
    try {
      if (!LEAVE_ENVELOPE.has(claimed.effect.kind)) envelopeCurrent = false;
      await performer.one(claimed);
      retired.push(claimed);
      result.done++;
    } catch (e) {
      if (ordered) blocked = true;
      await failed(claimed, e);
    }
  }
  // Unordered kinds that batch: every due item of the kind at once (claimed above, in order).
  for (const [batch, claimed] of batches) {
    const hint = envelopeCurrent && envelope ? envelope : undefined;
    envelopeCurrent = false;
    const outcomes = await batch(claimed, hint).catch((e: Error) => claimed.map(() => e));
    await Promise.all(
      claimed.map(async (item, i) => {
        const error = outcomes[i];
        if (error) return failed(item, error);
        retired.push(item);
        result.done++;
      }),
    );
  }
  // Claimed together but held back behind a failure: due again as they were, not after the claim runs out.
  await Promise.all(
    released.map((c) => deps.outbox.release(c, (items.find((i) => i.id === c.id) as OutboxItem).notBefore).catch(() => undefined)),
  );
  try {
    await deps.outbox.retireAll(retired);
  } catch (e) {
    // Done, but still listed: performed again once the claims run out (each handler allows that).
    deps.logger.warn('outbox items done but not retired', { tenantId, envelopeId, items: retired.length, error: (e as Error).name });
  }
  return result;
};

/** Everything due, envelope by envelope (a few envelopes at a time): the local poller's loop and the repair sweep. `at`: see drainEnvelope. */
export const drainDue = async (
  deps: OutboxWorkerDeps,
  performer: EffectPerformer,
  limit = 200,
  parallel = 4,
  at?: Date,
): Promise<DrainResult> => {
  const due = await deps.outbox.due(at ?? new Date(), limit);
  const groups = new Map<string, OutboxItem[]>();
  for (const item of due) {
    const key = `${item.tenantId}\n${item.envelopeId}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const total: DrainResult = { done: 0, failed: 0, orphaned: 0 };
  const queue = [...groups.keys()];
  await Promise.all(
    Array.from({ length: Math.min(parallel, queue.length) }, async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        const [tenantId, envelopeId] = key.split('\n') as [string, string];
        try {
          // Every item of the envelope, not only the due ones: order needs the earlier ones too.
          const r = await drainEnvelope(deps, performer, tenantId, envelopeId, undefined, at);
          total.done += r.done;
          total.failed += r.failed;
          total.orphaned += r.orphaned;
        } catch (e) {
          total.failed++;
          deps.logger.warn('outbox drain failed for an envelope', { tenantId, envelopeId, error: (e as Error).name });
        }
      }
    }),
  );
  return total;
};
