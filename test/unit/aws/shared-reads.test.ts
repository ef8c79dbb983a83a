import { describe, expect, it } from 'vitest';
import { sharedRead, writing } from '../../../functions/aws/shared-reads.js';

/** A read whose answer the test gives when it wants: how many calls were made, and their answers. */
const table = () => {
  let value = 1;
  const pending: (() => void)[] = [];
  let calls = 0;
  const load = () => {
    calls++;
    const seen = value;
    return new Promise<{ value: number }>((resolve) => pending.push(() => resolve({ value: seen })));
  };
  return {
    load,
    set: (v: number) => {
      value = v;
    },
    answerAll: () => {
      for (const p of pending.splice(0)) p();
    },
    calls: () => calls,
  };
};

describe('sharedRead (overlapping reads of one item share one call)', () => {
  it('serves reads that overlap with one call, each caller its own copy', async () => {
    const t = table();
    const a = sharedRead('k1', t.load);
    const b = sharedRead('k1', t.load);
    const other = sharedRead('k2', t.load);
    t.answerAll();
    const [ra, rb] = await Promise.all([a, b, other]);
    expect(t.calls()).toBe(2);
    expect(rb).toEqual(ra);
    expect(rb).not.toBe(ra);
    // Once answered, a new read is a new call.
    const c = sharedRead('k1', t.load);
    t.answerAll();
    await c;
    expect(t.calls()).toBe(3);
  });

  it('never joins a read that started before a write of the item ended', async () => {
    const t = table();
    const before = sharedRead('k3', t.load);
    let finishWrite: () => void = () => undefined;
    const write = writing('k3', () => new Promise<void>((r) => (finishWrite = r)));
    // During the write: its own call.
    const during = sharedRead('k3', t.load);
    t.set(2);
    finishWrite();
    await write;
    // After the write: neither of the reads under way may answer it (both may have read before the write).
    const after = sharedRead('k3', t.load);
    t.answerAll();
    expect(t.calls()).toBe(3);
    expect((await before).value).toBe(1);
    expect((await during).value).toBe(1);
    expect((await after).value).toBe(2);
    // And a read after that joins the one that started after the write.
    const later1 = sharedRead('k3', t.load);
    const later2 = sharedRead('k3', t.load);
    t.answerAll();
    expect((await later2).value).toBe(2);
    expect((await later1).value).toBe(2);
    expect(t.calls()).toBe(4);
  });

  it('a failed read fails its joiners and is not remembered', async () => {
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('throttled'));
    };
    const a = sharedRead('k4', failing);
    const b = sharedRead('k4', failing);
    await expect(a).rejects.toThrow('throttled');
    await expect(b).rejects.toThrow('throttled');
    await expect(sharedRead('k4', failing)).rejects.toThrow('throttled');
    expect(calls).toBe(2);
  });
});
