import { describe, expect, it } from 'vitest';
import { parseSubject, subjectCommitment } from '../../../shared/data-subjects/subject.js';
import { acknowledgementDue } from '../../../shared/data-subjects/working-days.js';

describe('acknowledgement deadline: 2 working days, Vietnam time, weekends skipped (holidays not counted)', () => {
  it.each([
    ['Monday 10:00 ICT', '2026-11-30T03:00:00Z', '2026-12-02T16:59:59.999Z'],
    ['Thursday 09:00 ICT', '2026-12-03T02:00:00Z', '2026-12-07T16:59:59.999Z'],
    ['Friday 23:30 ICT (Friday in UTC too)', '2026-12-04T16:30:00Z', '2026-12-08T16:59:59.999Z'],
    ['Friday 18:00 UTC = Saturday 01:00 ICT', '2026-12-04T18:00:00Z', '2026-12-08T16:59:59.999Z'],
    ['Sunday', '2026-12-06T05:00:00Z', '2026-12-08T16:59:59.999Z'],
  ])('%s → end of the 2nd working day', (_when, received, due) => {
    expect(acknowledgementDue(new Date(received)).toISOString()).toBe(due);
  });
});

describe('subjects', () => {
  it('normalises email case and phone forms, so one person is one commitment', () => {
    expect(parseSubject({ email: '  An.Nguyen@Example.VN ' })).toEqual({ kind: 'email', value: 'an.nguyen@example.vn' });
    expect(parseSubject({ phone: '0912 345 678' })).toEqual({ kind: 'phone', value: '+84912345678' });
    expect(parseSubject({ phone: '+84-912-345-678' })).toEqual({ kind: 'phone', value: '+84912345678' });
    const a = subjectCommitment(parseSubject({ email: 'AN@example.vn' }), 'k1');
    expect(subjectCommitment(parseSubject({ email: 'an@example.vn' }), 'k1')).toBe(a);
    expect(subjectCommitment(parseSubject({ email: 'an@example.vn' }), 'k2')).not.toBe(a); // keyed per tenant
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [{}, 'invalid_subject'],
    [{ email: 'a@example.vn', phone: '0912345678' }, 'invalid_subject'],
    [{ email: 'not-an-email' }, 'invalid_subject'],
    [{ phone: '024 3826 1234' }, 'invalid_phone'],
    [{ idNumber: '999000000000' }, 'invalid_id_number'],
  ])('%j → %s', (input, code) => {
    expect(() => parseSubject(input)).toThrow(expect.objectContaining({ code }));
  });
});
