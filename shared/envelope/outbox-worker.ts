import type { EffectKind, OutboxItem } from './effects.js';
import type { EnvelopeRepository, OutboxStore } from './ports.js';
import { COMMITS_KEPT } from './transition.js';

/** Performs one owed effect (functions/worker/effects.ts dispatches by kind). Throw = not done. */
export type PerformEffect = (item: OutboxItem) => Promise<void>;

/**
 * Performs several owed effects of one kind of one envelope together (e.g. ten invitations in
 * one commit): one outcome per item, undefined = done, an error = not done (retried alone).
 */
export type PerformBatch = (items: readonly OutboxItem[]) => Promise<readonly (Error | undefined)[]>;

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
 * Performs what one envelope owes, in (version, index) order. An item counts only if its
 * commit id is in the envelope's `commits` (the state change happened); one whose commit lost
 * or never came is an orphan and is deleted. A failure postpones the item with backoff and
 * holds back the ordered kinds behind it (audit events, the head signature); other kinds go on.
 * `at` judges claims, orphans and backoff as of that instant instead of now (the local repair
 * sweep's `?now=`: the crash test sweeps as if a dead worker's claims had run out).
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
  let blocked = false;
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
    if (!envelope?.commits?.includes(item.commitId)) {
      const superseded = !!envelope && envelope.version >= item.version;
      if (!envelope || superseded || now.getTime() - Date.parse(item.createdAt) > ORPHAN_AFTER_MS) {
        if (superseded && envelope.version >= item.version + COMMITS_KEPT) {
          deps.logger.warn('outbox item judged orphaned beyond the kept commits', { tenantId, envelopeId, item: item.id });
        }
        await deps.outbox.retire(item);
        result.orphaned++;
      } else if (ORDERED.has(item.effect.kind)) {
        blocked = true; // its commit is still in flight
      }
      continue;
    }
    const ordered = ORDERED.has(item.effect.kind);
    if (ordered && blocked) continue;
    const claimed = Date.parse(item.notBefore) <= now.getTime() ? await deps.outbox.claim(item, now, CLAIM_MS) : undefined;
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
      await performer.one(claimed);
      await deps.outbox.retire(claimed);
      result.done++;
    } catch (e) {
      if (ordered) blocked = true;
      await failed(claimed, e);
    }
  }
  // Unordered kinds that batch: every due item of the kind at once (claimed above, in order).
  for (const [batch, claimed] of batches) {
    const outcomes = await batch(claimed).catch((e: Error) => claimed.map(() => e));
    await Promise.all(
      claimed.map(async (item, i) => {
        const error = outcomes[i];
        if (error) return failed(item, error);
        await deps.outbox.retire(item);
        result.done++;
      }),
    );
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
