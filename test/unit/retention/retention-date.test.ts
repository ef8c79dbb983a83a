import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/envelope/types.js';
import type { LabourContract } from '../../../shared/labour/types.js';
import { contractKindOf, effectiveRetention, retentionUntil } from '../../../shared/retention/retention-date.js';

const now = new Date('2026-12-01T00:00:00.000Z');
const labour = (endDate?: string): LabourContract =>
  ({
    act: 'contract',
    terms: { contractType: endDate ? 'fixed-term' : 'indefinite', startDate: '2026-12-01', ...(endDate ? { endDate } : {}) },
    parties: { employerRecipientId: 'r2', employeeRecipientId: 'r1' },
  }) as unknown as LabourContract;
type Dated = Pick<Envelope, 'contractKind' | 'contractEndsAt' | 'completedAt' | 'labourContract'>;

describe('retention classes', () => {
  it('a labour contract is kept by the labour class without the sender naming the kind, from its end date', () => {
    const envelope: Dated = { completedAt: now.toISOString(), labourContract: labour('2028-06-30') };
    expect(contractKindOf(envelope)).toBe('labourContract');
    const r = retentionUntil(envelope, effectiveRetention(undefined), { now });
    expect(r.from.toISOString()).toBe('2028-06-30T00:00:00.000Z');
    expect(r.until.toISOString()).toBe('2098-06-30T00:00:00.000Z'); // 70 years, then review
    expect(r.class.atEnd).toBe('review');
  });

  it('an indefinite labour contract counts from completion; a sender-given kind and end date win', () => {
    expect(
      retentionUntil({ completedAt: now.toISOString(), labourContract: labour() }, effectiveRetention(undefined), {
        now,
      }).until.toISOString(),
    ).toBe('2096-12-01T00:00:00.000Z');
    const given: Dated = { completedAt: now.toISOString(), contractKind: 'serviceContract', contractEndsAt: '2027-12-31T00:00:00.000Z' };
    const r = retentionUntil(
      given,
      effectiveRetention({ retention: { serviceContract: { years: 5, from: 'contractEnd', atEnd: 'delete' } } }),
      { now },
    );
    expect(r.kind).toBe('serviceContract');
    expect(r.until.toISOString()).toBe('2032-12-31T00:00:00.000Z');
  });

  it('never ends before the deployment floor, and an unnamed kind is other (10 years from completion)', () => {
    const r = retentionUntil(
      { completedAt: now.toISOString() },
      effectiveRetention({ retention: { other: { years: 1, from: 'completion', atEnd: 'delete' } } }),
      {
        now,
        floorDays: 3650,
      },
    );
    expect(r.kind).toBe('other');
    expect(r.until.toISOString()).toBe('2036-11-28T00:00:00.000Z');
  });
});
