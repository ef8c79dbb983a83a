import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { addMonths, parseDate, validateLabourTerms } from '../../../shared/labour/validate-labour-contract.js';

const valid = {
  employer: { name: 'Công ty TNHH Thử Nghiệm', taxCode: '0312345678-001', representative: 'Trần Thị Bình', address: 'TP. HCM' },
  employee: { name: 'Nguyễn Văn An', idNumber: '001203004567', dateOfBirth: '15/04/1998', address: 'Hà Nội' },
  contractType: 'fixed-term',
  startDate: '2026-01-31',
  endDate: '2029-01-31',
  jobTitle: 'Kế toán',
  workplace: 'Hà Nội',
  salary: { amount: '12.500.000', currency: 'VND' },
};

const fieldOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('invalid_labour_contract');
    return ((e as AppError).details as { field: string }).field;
  }
  return undefined;
};

describe('validateLabourTerms', () => {
  it('normalises dates, the amount and a branch tax code', () => {
    const t = validateLabourTerms(valid);
    expect(t.employee.dateOfBirth).toBe('1998-04-15');
    expect(t.salary).toEqual({ amount: 12_500_000, currency: 'VND' });
    expect(t.employer.taxCode).toBe('0312345678-001');
    expect(t.endDate).toBe('2029-01-31');
  });

  it.each([
    ['labourContract.employer.taxCode', { employer: { ...valid.employer, taxCode: '03123456789' } }],
    ['labourContract.employer.taxCode', { employer: { ...valid.employer, taxCode: '0312345678-01' } }],
    ['labourContract.employee.idNumber', { employee: { ...valid.employee, idNumber: '00120300456' } }],
    ['labourContract.employee.idNumber', { employee: { ...valid.employee, idNumber: '00120300456X' } }],
    ['labourContract.employee.dateOfBirth', { employee: { ...valid.employee, dateOfBirth: '31/02/1998' } }],
    ['labourContract.employee.dateOfBirth', { employee: { ...valid.employee, dateOfBirth: '2026-02-01' } }],
    ['labourContract.contractType', { contractType: 'seasonal' }],
    ['labourContract.endDate', { endDate: undefined }],
    ['labourContract.endDate', { endDate: '2029-02-01' }],
    ['labourContract.endDate', { endDate: '2026-01-30' }],
    ['labourContract.endDate', { contractType: 'indefinite' }],
    ['labourContract.salary.amount', { salary: { amount: 0 } }],
    ['labourContract.salary.currency', { salary: { amount: 1, currency: 'USD' } }],
    ['labourContract.jobTitle', { jobTitle: '  ' }],
  ])('refuses %s', (field, change) => {
    expect(fieldOf(() => validateLabourTerms({ ...valid, ...change }))).toBe(field);
  });

  it('allows exactly 36 months, clamped at month ends', () => {
    expect(addMonths('2026-01-31', 36)).toBe('2029-01-31');
    expect(addMonths('2027-02-28', 36)).toBe('2030-02-28');
    expect(addMonths('2028-02-29', 36)).toBe('2031-02-28');
    expect(addMonths('2026-08-31', 1)).toBe('2026-09-30');
    expect(validateLabourTerms({ ...valid, startDate: '2028-02-29', endDate: '2031-02-28' }).endDate).toBe('2031-02-28');
    expect(fieldOf(() => validateLabourTerms({ ...valid, startDate: '2028-02-29', endDate: '2031-03-01' }))).toBe('labourContract.endDate');
  });

  it('reads ISO and Vietnamese dates only', () => {
    expect(parseDate('1/7/2026', 'x')).toBe('2026-07-01');
    expect(fieldOf(() => parseDate('2026/07/01', 'x'))).toBe('x');
    expect(fieldOf(() => parseDate('2026-13-01', 'x'))).toBe('x');
  });
});
