import { describe, expect, it } from 'vitest';
import { drainScheduler } from '../../../functions/local/drain-scheduler.js';

/** Drains that end when the test says so. */
const controlled = () => {
  const log: string[] = [];
  const ends = new Map<string, () => void>();
  const drain = (tenantId: string, envelopeId: string) =>
    new Promise<void>((resolve) => {
      log.push(`${tenantId}/${envelopeId}`);
      ends.set(envelopeId, resolve);
    });
  const end = async (envelopeId: string) => {
    ends.get(envelopeId)?.();
    ends.delete(envelopeId);
    await new Promise((r) => setImmediate(r));
  };
  return { log, drain, end };
};

describe('the local outbox worker’s drains (drain-scheduler.ts)', () => {
  it('drains at most `max` envelopes at once; the others wait and start in wake order as drains end', async () => {
    const { log, drain, end } = controlled();
    const drains = drainScheduler(drain, { max: 2, stopped: () => false });
    for (const e of ['e1', 'e2', 'e3', 'e4', 'e5']) drains.wake('t', e);
    expect(log).toEqual(['t/e1', 't/e2']);
    expect(drains.active).toBe(2);
    await end('e2');
    expect(log).toEqual(['t/e1', 't/e2', 't/e3']);
    await end('e1');
    await end('e3');
    expect(log).toEqual(['t/e1', 't/e2', 't/e3', 't/e4', 't/e5']);
    expect(drains.active).toBe(2);
    await end('e4');
    await end('e5');
    expect(drains.active).toBe(0);
  });

  it('drains one envelope once at a time, and again after a wake that came during its drain', async () => {
    const { log, drain, end } = controlled();
    const drains = drainScheduler(drain, { max: 8, stopped: () => false });
    drains.wake('t', 'e1');
    drains.wake('t', 'e1');
    drains.wake('t', 'e1');
    expect(log).toEqual(['t/e1']);
    await end('e1');
    expect(log).toEqual(['t/e1', 't/e1']); // the wakes during the drain: one more drain
    await end('e1');
    expect(drains.active).toBe(0);
    expect(log).toHaveLength(2);
  });

  it('a waiting envelope woken again is drained once, and nothing new starts once stopped', async () => {
    const { log, drain, end } = controlled();
    let stopped = false;
    const drains = drainScheduler(drain, { max: 1, stopped: () => stopped });
    drains.wake('t', 'e1');
    drains.wake('t', 'e2');
    drains.wake('t', 'e2');
    await end('e1');
    expect(log).toEqual(['t/e1', 't/e2']);
    drains.wake('t', 'e3');
    stopped = true;
    await end('e2');
    await drains.settled();
    expect(log).toEqual(['t/e1', 't/e2']);
  });

  it('a pass offers only envelopes neither draining nor waiting: no second drain of one under way', async () => {
    const { log, drain, end } = controlled();
    const drains = drainScheduler(drain, { max: 1, stopped: () => false });
    drains.wake('t', 'e1');
    drains.wake('t', 'e2');
    expect(drains.waiting).toBe(1);
    drains.offer('t', 'e1'); // draining: not again after
    drains.offer('t', 'e2'); // waiting: not twice
    drains.offer('t', 'e3'); // idle: waits its turn
    expect(drains.waiting).toBe(2);
    await end('e1');
    await end('e2');
    await end('e3');
    expect(log).toEqual(['t/e1', 't/e2', 't/e3']);
    expect(drains.active).toBe(0);
    expect(drains.waiting).toBe(0);
  });
});
