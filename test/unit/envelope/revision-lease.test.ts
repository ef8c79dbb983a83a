import { describe, expect, it } from 'vitest';
import type { RevisionLeaseStore } from '../../../shared/envelope/ports.js';
import { withRevisionLease } from '../../../shared/envelope/revision-lease.js';
import { AppError } from '../../../shared/errors.js';

/** The DynamoDB lease's semantics in memory: a conditional put (free or expired), renew and release only by the owner. */
const memoryLeases = () => {
  const held = new Map<string, { owner: string; until: number }>();
  const store: RevisionLeaseStore = {
    acquire: async (t, e, owner, now, until) => {
      const cur = held.get(`${t}/${e}`);
      if (cur && cur.until >= now.getTime()) return false;
      held.set(`${t}/${e}`, { owner, until: until.getTime() });
      return true;
    },
    renew: async (t, e, owner, until) => {
      const cur = held.get(`${t}/${e}`);
      if (cur?.owner !== owner) return false;
      held.set(`${t}/${e}`, { owner, until: until.getTime() });
      return true;
    },
    release: async (t, e, owner) => {
      if (held.get(`${t}/${e}`)?.owner === owner) held.delete(`${t}/${e}`);
    },
  };
  return { store, held };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withRevisionLease', () => {
  it('runs the builders of one envelope one at a time, in arrival order, and gives the lease back', async () => {
    const { store, held } = memoryLeases();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const turns = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withRevisionLease(store, 't', 'e', async (turn) => {
          inside++;
          most = Math.max(most, inside);
          await sleep(5);
          order.push(i);
          inside--;
          return turn.waited;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(turns[0]).toBe(false);
    expect(turns.slice(1).every(Boolean)).toBe(true);
    expect(held.size).toBe(0);
  });

  it('does not serialise different envelopes', async () => {
    const { store } = memoryLeases();
    let inside = 0;
    let most = 0;
    await Promise.all(
      ['a', 'b', 'c'].map((e) =>
        withRevisionLease(store, 't', e, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(10);
          inside--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('waits for a holder in another process, and takes over once its lease expired', async () => {
    const { store, held } = memoryLeases();
    held.set('t/e', { owner: 'other-process', until: Date.now() + 60 });
    const started = Date.now();
    const waited = await withRevisionLease(store, 't', 'e', async (turn) => turn.waited, { waitMs: 2000 });
    expect(waited).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(held.size).toBe(0);
  });

  it('answers service_unavailable after waitMs instead of building without the lease', async () => {
    const { store, held } = memoryLeases();
    held.set('t/e', { owner: 'stuck', until: Date.now() + 60_000 });
    let built = false;
    const r = await withRevisionLease(
      store,
      't',
      'e',
      async () => {
        built = true;
      },
      { waitMs: 100 },
    ).catch((e: unknown) => e);
    expect(r).toBeInstanceOf(AppError);
    expect((r as AppError).code).toBe('service_unavailable');
    expect(built).toBe(false);
    expect(held.get('t/e')?.owner).toBe('stuck');
  });

  it('renews the lease while the holder works, so nobody takes it from a live holder', async () => {
    const { store, held } = memoryLeases();
    const stolen: boolean[] = [];
    await withRevisionLease(
      store,
      't',
      'e',
      async () => {
        for (let i = 0; i < 4; i++) {
          await sleep(40);
          stolen.push(await store.acquire('t', 'e', 'intruder', new Date(), new Date(Date.now() + 1000)));
        }
      },
      { ttlMs: 60 },
    );
    expect(stolen).toEqual([false, false, false, false]);
    expect(held.size).toBe(0);
  });

  it('frees the queue and the lease when the work throws', async () => {
    const { store, held } = memoryLeases();
    await expect(
      withRevisionLease(store, 't', 'e', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(held.size).toBe(0);
    expect(await withRevisionLease(store, 't', 'e', async (turn) => turn.waited)).toBe(false);
  });
});
