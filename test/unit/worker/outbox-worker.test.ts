import { describe, expect, it } from 'vitest';
import type { Effect, OutboxItem } from '../../../shared/envelope/effects.js';
import { CLAIM_MS, drainDue, drainEnvelope, ORPHAN_AFTER_MS, retryDelayMs } from '../../../shared/envelope/outbox-worker.js';
import { envelopeAt, memoryEnvelopes, memoryOutbox, owed } from './memory-outbox.js';

const auditOf = (action: string): Effect => ({ kind: 'audit', event: { action } }) as unknown as Effect;
const webhookOf = (type: string): Effect => ({ kind: 'webhook', type, data: {} }) as unknown as Effect;
const link = (recipientId: string): Effect => ({ kind: 'link-message', recipientId }) as unknown as Effect;
const HEAD: Effect = { kind: 'head-signature' } as Effect;

const setup = (items: OutboxItem[], envelope = envelopeAt('e1', 3, ['commit1', 'commit2', 'commit3'])) => {
  const outbox = memoryOutbox();
  for (const i of items) outbox.items.set(i.id, i);
  const repo = memoryEnvelopes(outbox.store);
  repo.envelopes.set('e1', envelope);
  const warnings: Record<string, unknown>[] = [];
  const deps = {
    outbox: outbox.store,
    envelopes: repo,
    logger: { warn: (message: string, data?: Record<string, unknown>) => warnings.push({ message, ...data }), error: () => {} },
  };
  return { deps, outbox, warnings };
};

/** A performer that records what it did, failing the item ids listed. */
const recorder = (failing: string[] = []) => {
  const done: string[] = [];
  return {
    done,
    one: async (item: OutboxItem) => {
      if (failing.includes(item.id)) throw new Error('SES down');
      done.push(item.id);
    },
  };
};

describe('drainEnvelope: order, orphans, postponement', () => {
  it('performs every owed item in (version, index) order and retires it', async () => {
    const items = [owed(2, 1, auditOf('b')), owed(1, 0, auditOf('a')), owed(2, 0, webhookOf('x')), owed(3, 0, HEAD)];
    const { deps, outbox } = setup(items);
    const perform = recorder();
    expect(await drainEnvelope(deps, perform, 't1', 'e1')).toEqual({ done: 4, failed: 0, orphaned: 0 });
    expect(perform.done).toEqual(['e1.1.0', 'e1.2.0', 'e1.2.1', 'e1.3.0']);
    expect(outbox.items.size).toBe(0);
  });

  it('a failed audit event is postponed with backoff and holds back the ordered kinds behind it, not the others', async () => {
    const items = [
      owed(1, 0, auditOf('a')),
      owed(2, 0, webhookOf('x')),
      owed(2, 1, auditOf('b')),
      owed(3, 0, HEAD),
      owed(3, 1, link('r1')),
    ];
    const { deps, outbox, warnings } = setup(items);
    const perform = recorder(['e1.1.0']);
    const before = Date.now();
    expect(await drainEnvelope(deps, perform, 't1', 'e1')).toEqual({ done: 2, failed: 1, orphaned: 0 });
    expect(perform.done).toEqual(['e1.2.0', 'e1.3.1']);
    const postponed = outbox.items.get('e1.1.0') as OutboxItem;
    expect(postponed).toMatchObject({ attempts: 1, lastError: 'Error: SES down' });
    expect(Date.parse(postponed.notBefore) - before).toBeGreaterThanOrEqual(retryDelayMs(1) - 5);
    // The later audit event and the head signature wait for it, untouched (not claimed, not counted).
    expect(outbox.items.get('e1.2.1')).toMatchObject({ attempts: 0, notBefore: new Date(0).toISOString() });
    expect(outbox.items.get('e1.3.0')).toMatchObject({ attempts: 0 });
    expect(warnings).toEqual([
      expect.objectContaining({ message: 'owed effect failed, will retry', item: 'e1.1.0', attempts: 1, error: 'Error' }),
    ]);
    // Next drain before its time: nothing ordered moves; after it (made due), all of it goes, in order.
    expect((await drainEnvelope(deps, recorder(), 't1', 'e1')).done).toBe(0);
    outbox.items.set('e1.1.0', { ...postponed, notBefore: new Date(0).toISOString() });
    const later = recorder();
    await drainEnvelope(deps, later, 't1', 'e1');
    expect(later.done).toEqual(['e1.1.0', 'e1.2.1', 'e1.3.0']);
  });

  it('retires items whose commit lost (superseded) or never came (older than ORPHAN_AFTER_MS); waits for one in flight', async () => {
    const old = new Date(Date.now() - ORPHAN_AFTER_MS - 1000).toISOString();
    const items = [
      owed(2, 0, auditOf('lost'), { commitId: 'loser' }), // version 2 was reached by commit2
      owed(4, 0, webhookOf('never'), { commitId: 'dead', createdAt: old }), // a request that died between the writes
      owed(4, 0, auditOf('in flight'), { id: 'e1.4.0b', commitId: 'flying' }), // its envelope write may still land
      owed(4, 1, HEAD, { id: 'e1.4.1b', commitId: 'flying' }),
      owed(3, 0, webhookOf('ok')),
    ];
    const { deps, outbox } = setup(items);
    const perform = recorder();
    expect(await drainEnvelope(deps, perform, 't1', 'e1')).toEqual({ done: 1, failed: 0, orphaned: 2 });
    expect(perform.done).toEqual(['e1.3.0']);
    expect([...outbox.items.keys()].sort()).toEqual(['e1.4.0b', 'e1.4.1b']);
  });

  it('an item another worker holds (claimed) is skipped, and ordered items behind it wait', async () => {
    const held = new Date(Date.now() + CLAIM_MS).toISOString();
    const { deps } = setup([owed(1, 0, auditOf('a'), { notBefore: held }), owed(2, 0, auditOf('b')), owed(2, 1, webhookOf('x'))]);
    const perform = recorder();
    await drainEnvelope(deps, perform, 't1', 'e1');
    expect(perform.done).toEqual(['e1.2.1']);
  });

  it('batches a kind: one call for every due item of it, a failure in the batch postponed alone', async () => {
    const { deps, outbox } = setup([owed(1, 0, link('r1')), owed(1, 1, link('r2')), owed(1, 2, auditOf('a'))]);
    const calls: string[][] = [];
    const perform = {
      ...recorder(),
      batched: {
        'link-message': async (batch: readonly OutboxItem[]) => {
          calls.push(batch.map((i) => i.id));
          return batch.map((i) => (i.id === 'e1.1.1' ? new Error('no such recipient') : undefined));
        },
      },
    };
    expect(await drainEnvelope(deps, perform, 't1', 'e1')).toEqual({ done: 2, failed: 1, orphaned: 0 });
    expect(calls).toEqual([['e1.1.0', 'e1.1.1']]);
    expect([...outbox.items.keys()]).toEqual(['e1.1.1']);
    expect(outbox.items.get('e1.1.1')?.attempts).toBe(1);
  });

  it('claims the items of a drain in one write and retires them in one write; claims one by one if one was taken meanwhile', async () => {
    const items = [owed(1, 0, auditOf('a')), owed(1, 1, webhookOf('x')), owed(1, 2, link('r1'))];
    const { deps, outbox } = setup(items);
    const calls: string[] = [];
    const store = outbox.store;
    const noted =
      <A extends unknown[], R>(name: (a: A) => string, f: (...a: A) => R) =>
      (...a: A): R => {
        calls.push(name(a));
        return f(...a);
      };
    const counted = {
      ...store,
      claim: noted(() => 'claim', store.claim),
      claimAll: noted((a) => `claimAll ${a[0].length}`, store.claimAll),
      retire: noted(() => 'retire', store.retire),
      retireAll: noted((a) => `retireAll ${a[0].length}`, store.retireAll),
    };
    expect(await drainEnvelope({ ...deps, outbox: counted }, recorder(), 't1', 'e1')).toEqual({ done: 3, failed: 0, orphaned: 0 });
    expect(calls).toEqual(['claimAll 3', 'retireAll 3']);
    expect(outbox.items.size).toBe(0);

    // Another worker claims one of them between this drain's read and its claim: all-or-nothing fails, one by one follows.
    for (const i of items) outbox.items.set(i.id, i);
    calls.length = 0;
    const racing = {
      ...counted,
      claimAll: async (...a: Parameters<typeof store.claimAll>) => {
        await store.claim(items[1] as OutboxItem, new Date(), CLAIM_MS);
        return counted.claimAll(...a);
      },
    };
    const perform = recorder();
    expect(await drainEnvelope({ ...deps, outbox: racing }, perform, 't1', 'e1')).toEqual({ done: 2, failed: 0, orphaned: 0 });
    expect(perform.done).toEqual(['e1.1.0', 'e1.1.2']);
    expect(calls).toEqual(['claimAll 3', 'claim', 'claim', 'claim', 'retireAll 2']);
    expect([...outbox.items.keys()]).toEqual(['e1.1.1']);
  });

  it('gives a batch the envelope it read unless an item performed before it may have changed the envelope', async () => {
    const seen: (string | undefined)[] = [];
    const perform = {
      ...recorder(),
      batched: {
        'link-message': async (batch: readonly OutboxItem[], envelope?: { id: string }) => {
          seen.push(envelope?.id);
          return batch.map(() => undefined);
        },
      },
    };
    const first = setup([owed(1, 0, auditOf('a')), owed(1, 1, webhookOf('x')), owed(1, 2, link('r1'))]);
    await drainEnvelope(first.deps, perform, 't1', 'e1');
    const second = setup([owed(1, 0, { kind: 'seal-turn', recipientId: 'r0' } as Effect), owed(1, 1, link('r1'))]);
    await drainEnvelope(second.deps, perform, 't1', 'e1');
    expect(seen).toEqual(['e1', undefined]);
  });

  it('backs off 2 s, 4 s, … up to 15 minutes', () => {
    expect([1, 2, 3, 5].map(retryDelayMs)).toEqual([2000, 4000, 8000, 32_000]);
    expect(retryDelayMs(10)).toBe(15 * 60_000);
    expect(retryDelayMs(50)).toBe(15 * 60_000);
  });
});

describe('drainDue', () => {
  it('drains every envelope with due items; one whose drain throws is counted and the others go on', async () => {
    const { deps, outbox } = setup([owed(1, 0, webhookOf('x'))]);
    outbox.items.set('e2.1.0', { ...owed(1, 0, webhookOf('y')), id: 'e2.1.0', envelopeId: 'e2' });
    const flaky = {
      ...deps,
      envelopes: {
        get: async (t: string, id: string) => {
          if (id === 'e2') throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
          return deps.envelopes.get(t, id);
        },
      },
    };
    const perform = recorder();
    expect(await drainDue(flaky, perform)).toEqual({ done: 1, failed: 1, orphaned: 0 });
    expect(perform.done).toEqual(['e1.1.0']);
    expect(outbox.items.has('e2.1.0')).toBe(true);
  });
});

describe('drainEnvelope: an error that says when to try again', () => {
  it('postpones the item to that instant (AwaitingSendEvent), not by the backoff', async () => {
    const at = new Date('2026-12-02T08:00:00Z');
    const retryAt = new Date(at.getTime() + 7000);
    const { deps, outbox } = setup([owed(1, 0, { kind: 'message', message: {} } as unknown as Effect)]);
    const result = await drainEnvelope(
      deps,
      { one: async () => Promise.reject(Object.assign(new Error('awaiting'), { retryAt })) },
      't1',
      'e1',
      undefined,
      at,
    );
    expect(result.failed).toBe(1);
    expect(outbox.items.get('e1.1.0')?.notBefore).toBe(retryAt.toISOString());
  });
});
