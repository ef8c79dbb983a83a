import { describe, expect, it } from 'vitest';
import { chainEvent, GENESIS_HASH, hashEvent, verifyChain } from '../../../shared/audit/chain.js';
import { commitPersonalData, erasePersonalData } from '../../../shared/audit/personal-data.js';
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

describe('personal data in the chain (issue 17): hashed through a commitment, erasable', () => {
  const withPerson = (): AuditEvent[] => {
    const out: AuditEvent[] = [];
    out.push(chainEvent({ at: '2026-12-01T00:00:00Z', action: 'envelope.created', actor: { type: 'tenant', id: 't' } }, undefined));
    out.push(
      chainEvent(
        {
          at: '2026-12-01T00:00:01Z',
          action: 'recipient.viewed',
          actor: { type: 'recipient', id: 'r1', email: 'an@example.vn' },
          ip: '203.0.113.5',
          userAgent: 'Mozilla/5.0',
          data: { recipientId: 'r1', email: 'an@example.vn' },
        },
        out[0],
      ),
    );
    out.push(chainEvent({ at: '2026-12-01T00:00:02Z', action: 'envelope.voided', actor: { type: 'tenant', id: 't' } }, out[1]));
    return out;
  };

  it('stays verifiable after the personal data is erased, and the erased event keeps no trace of it', () => {
    const events = withPerson();
    const erased = events.map((e) => erasePersonalData(e, '2026-12-02T00:00:00Z'));
    expect(verifyChain(erased)).toEqual({ ok: true });
    expect(JSON.stringify(erased[1])).not.toMatch(/an@example|203\.0\.113|Mozilla|pdSalt/);
    expect(erased[1]?.data).toEqual({ recipientId: 'r1' });
  });

  it('still detects an edited email or IP while the data is present', () => {
    const events = withPerson();
    events[1] = { ...(events[1] as AuditEvent), ip: '198.51.100.1' };
    expect(verifyChain(events)).toEqual({ ok: false, brokenAt: 2 });
  });

  it('verifies events written before version 2 (hashed over their content) as before', () => {
    const legacy: AuditEvent[] = [];
    for (const [i, action] of ['a', 'b'].entries()) {
      const body = {
        at: `2026-11-0${i + 1}T00:00:00Z`,
        action,
        actor: { type: 'system' as const },
        seq: i + 1,
        prevHash: legacy[i - 1]?.hash ?? GENESIS_HASH,
      };
      legacy.push({ ...body, hash: hashEvent(body) });
    }
    expect(verifyChain(legacy)).toEqual({ ok: true });
    expect(erasePersonalData(legacy[0] as AuditEvent, '2026-12-02T00:00:00Z')).toBe(legacy[0]);
  });

  it("version 3 also erases the identity evidence's name and birth date; version-2 events keep their own key list", () => {
    const first = chainEvent(
      {
        at: '2026-12-01T00:00:00Z',
        action: 'recipient.identity_verified',
        actor: { type: 'recipient', id: 'r1' },
        data: { recipientId: 'r1', fullName: 'NGUYỄN VĂN AN', dateOfBirth: '1999-05-01', idNumber: '079099001234', provider: 'ekyc' },
      },
      undefined,
    );
    expect(first.v).toBe(3);
    const erased = erasePersonalData(first, '2026-12-02T00:00:00Z');
    expect(verifyChain([erased])).toEqual({ ok: true });
    expect(erased.data).toEqual({ recipientId: 'r1', provider: 'ekyc' });
    const edited = { ...first, data: { ...first.data, dateOfBirth: '1990-01-01' } };
    expect(verifyChain([edited])).toEqual({ ok: false, brokenAt: 1 });

    // A version-2 event (written before version 3) hashed fullName in clear: it must still verify, and erasing keeps it.
    const { hash: _h, ...v2body } = { ...first, v: 2 as const };
    const v2 = { ...v2body, pdCommitment: commitPersonalData(v2body, first.pdSalt as string) };
    const v2event = { ...v2, hash: hashEvent(v2) };
    expect(verifyChain([v2event])).toEqual({ ok: true });
    const v2erased = erasePersonalData(v2event, '2026-12-02T00:00:00Z');
    expect(verifyChain([v2erased])).toEqual({ ok: true });
    expect(v2erased.data?.fullName).toBe('NGUYỄN VĂN AN');
  });
});
