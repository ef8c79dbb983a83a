import { describe, expect, it } from 'vitest';
import { chainEvent, GENESIS_HASH, verifyChain } from '../../../shared/audit/chain.js';
import type { AuditEvent } from '../../../shared/envelope/types.js';

const build = (n: number): AuditEvent[] => {
  const out: AuditEvent[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      chainEvent({ at: `2026-11-25T00:00:0${i}Z`, action: `a${i}`, actor: { type: 'system' }, data: { i, name: 'Nguyễn' } }, out[i - 1]),
    );
  }
  return out;
};

describe('audit hash chain', () => {
  it('links each event to the previous one from the genesis hash', () => {
    const events = build(4);
    expect(events[0]?.prevHash).toBe(GENESIS_HASH);
    expect(events[2]?.prevHash).toBe(events[1]?.hash);
    expect(verifyChain(events)).toEqual({ ok: true });
  });

  it('detects an edited, removed or reordered event', () => {
    const edited = build(4);
    edited[1] = { ...(edited[1] as AuditEvent), data: { i: 1, name: 'Mallory' } };
    expect(verifyChain(edited)).toEqual({ ok: false, brokenAt: 2 });
    const removed = build(4).filter((e) => e.seq !== 3);
    expect(verifyChain(removed).ok).toBe(false);
    const swapped = build(3);
    [swapped[0], swapped[1]] = [swapped[1] as AuditEvent, swapped[0] as AuditEvent];
    expect(verifyChain(swapped).ok).toBe(false);
  });
});
