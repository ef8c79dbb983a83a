import { describe, expect, it } from 'vitest';
import { isTurnFull, nextTurn } from '../../../shared/envelope/signing-batch.js';

const at = (queuedAt: number, rebuildable = true, name = '') => ({ queuedAt, rebuildable, name });

describe('who is built and committed together (nextTurn)', () => {
  it('takes the head and every rebuildable signer behind it, in arrival order', () => {
    const q = [at(0, true, 'a'), at(1, true, 'b'), at(2, true, 'c')];
    const t = nextTurn(q, 10, 25_000);
    expect(t.batch.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(t.rest).toEqual([]);
    expect(t.expired).toEqual([]);
  });

  it('a pinned signer (token, remote CA) heads a turn of their own and is never built after another', () => {
    const q = [at(0, true, 'a'), at(1, false, 'pinned'), at(2, true, 'c')];
    const first = nextTurn(q, 10, 25_000);
    expect(first.batch.map((s) => s.name)).toEqual(['a']);
    const second = nextTurn(first.rest, 10, 25_000);
    expect(second.batch.map((s) => s.name)).toEqual(['pinned', 'c']);
  });

  it('caps a turn at max signers; the rest wait for the next', () => {
    const q = Array.from({ length: 7 }, (_, i) => at(i, true, `s${i}`));
    const t = nextTurn(q, 10, 25_000, 3);
    expect(t.batch.map((s) => s.name)).toEqual(['s0', 's1', 's2']);
    expect(t.rest.map((s) => s.name)).toEqual(['s3', 's4', 's5', 's6']);
  });

  it('answers signers who waited longer than allowed (503), without building for them', () => {
    const q = [at(0, true, 'old'), at(20_000, true, 'new')];
    const t = nextTurn(q, 26_000, 25_000);
    expect(t.expired.map((s) => s.name)).toEqual(['old']);
    expect(t.batch.map((s) => s.name)).toEqual(['new']);
  });
});

describe('a turn is bounded by time too (isTurnFull)', () => {
  it('always takes its first signer, then stops taking more once it has built for the budget', () => {
    expect(isTurnFull(0, 60_000, 4000)).toBe(false);
    expect(isTurnFull(1, 3999, 4000)).toBe(false);
    expect(isTurnFull(1, 4000, 4000)).toBe(true);
    expect(isTurnFull(30, 4100, 4000)).toBe(true);
  });
});
