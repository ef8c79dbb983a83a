import { AppError } from '../errors.js';
import type { ConversionRecord, LabourContractType, LabourTerms } from './types.js';

/** What callers send (API body, a template with merge values filled in, a bulk row): strings are not yet trusted. */
export interface LabourTermsInput {
  readonly employer?: { readonly name?: string; readonly taxCode?: string; readonly representative?: string; readonly address?: string };
  readonly employee?: { readonly name?: string; readonly idNumber?: string; readonly dateOfBirth?: string; readonly address?: string };
  readonly contractType?: string;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly jobTitle?: string;
  readonly workplace?: string;
  readonly salary?: { readonly amount?: number | string; readonly currency?: string };
  readonly workingHours?: string;
}

/** The longest fixed-term contract the Labour Code (Art. 20) allows. */
export const MAX_FIXED_TERM_MONTHS = 36;
const TAX_CODE = /^\d{10}(-\d{3})?$/;
const CCCD = /^\d{12}$/;

export const invalid = (field: string, message: string): AppError =>
  new AppError('invalid_labour_contract', `${field}: ${message}`, { field });

/** A calendar date as YYYY-MM-DD; accepts ISO (2026-07-01) and the Vietnamese way of writing it (01/07/2026). */
export const parseDate = (raw: string | undefined, field: string): string => {
  const s = (raw ?? '').trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) ?? /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (!m) throw invalid(field, `"${s}" is not a date (YYYY-MM-DD or DD/MM/YYYY).`);
  const [y, mo, d] = s.includes('/') ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) {
    throw invalid(field, `"${s}" is not a date of the calendar.`);
  }
  return date.toISOString().slice(0, 10);
};

/** `months` calendar months after an ISO date, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export const addMonths = (isoDate: string, months: number): string => {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
};

const text = (raw: string | undefined, field: string, max = 300): string => {
  const s = (raw ?? '').normalize('NFC').trim();
  if (!s) throw invalid(field, 'is required.');
  if (s.length > max) throw invalid(field, `is longer than ${max} characters.`);
  return s;
};

/** "8.000.000", "8,000,000 đ", 8000000 → 8000000 (VND has no minor unit). */
const parseAmount = (raw: number | string | undefined, field: string): number => {
  const n = typeof raw === 'number' ? raw : Number(String(raw ?? '').replace(/[\s.,]|đ|VND/gi, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw invalid(field, `"${raw ?? ''}" is not a positive whole number of đồng.`);
  return n;
};

/**
 * Checks the main terms of a labour contract and returns them normalised (NFC text, ISO
 * dates, amount as a number). Every refusal names the field, e.g.
 * `labourContract.employee.idNumber: "12345" is not a CCCD number (12 digits).`
 */
export const validateLabourTerms = (input: LabourTermsInput, at = 'labourContract'): LabourTerms => {
  const employer = input.employer ?? {};
  const employee = input.employee ?? {};
  const taxCode = (employer.taxCode ?? '').trim();
  if (!TAX_CODE.test(taxCode)) {
    throw invalid(`${at}.employer.taxCode`, `"${taxCode}" is not a tax code (10 digits, or 10-3 for a branch).`);
  }
  const idNumber = (employee.idNumber ?? '').trim();
  if (!CCCD.test(idNumber)) throw invalid(`${at}.employee.idNumber`, `"${idNumber}" is not a CCCD number (12 digits).`);
  const dateOfBirth = parseDate(employee.dateOfBirth, `${at}.employee.dateOfBirth`);
  const contractType = input.contractType as LabourContractType;
  if (contractType !== 'indefinite' && contractType !== 'fixed-term') {
    throw invalid(`${at}.contractType`, `"${input.contractType ?? ''}" is not one of indefinite, fixed-term.`);
  }
  const startDate = parseDate(input.startDate, `${at}.startDate`);
  if (dateOfBirth >= startDate) throw invalid(`${at}.employee.dateOfBirth`, 'must be before the start date.');
  let endDate: string | undefined;
  if (contractType === 'fixed-term') {
    if (!input.endDate?.trim()) throw invalid(`${at}.endDate`, 'a fixed-term contract needs an end date.');
    endDate = parseDate(input.endDate, `${at}.endDate`);
    if (endDate <= startDate) throw invalid(`${at}.endDate`, 'must be after the start date.');
    const latest = addMonths(startDate, MAX_FIXED_TERM_MONTHS);
    if (endDate > latest) {
      throw invalid(`${at}.endDate`, `a fixed-term contract lasts at most ${MAX_FIXED_TERM_MONTHS} months: end on ${latest} or earlier.`);
    }
  } else if (input.endDate?.trim()) {
    throw invalid(`${at}.endDate`, 'an indefinite contract has no end date.');
  }
  const currency = (input.salary?.currency ?? 'VND').trim().toUpperCase();
  if (currency !== 'VND') throw invalid(`${at}.salary.currency`, `"${currency}" is not VND (wages in Vietnam are paid in đồng).`);
  return {
    employer: {
      name: text(employer.name, `${at}.employer.name`),
      taxCode,
      representative: text(employer.representative, `${at}.employer.representative`, 200),
      address: text(employer.address, `${at}.employer.address`),
    },
    employee: {
      name: text(employee.name, `${at}.employee.name`, 200),
      idNumber,
      dateOfBirth,
      address: text(employee.address, `${at}.employee.address`),
    },
    contractType,
    startDate,
    ...(endDate ? { endDate } : {}),
    jobTitle: text(input.jobTitle, `${at}.jobTitle`, 200),
    workplace: text(input.workplace, `${at}.workplace`),
    salary: { amount: parseAmount(input.salary?.amount, `${at}.salary.amount`), currency: 'VND' },
    ...(input.workingHours?.trim() ? { workingHours: text(input.workingHours, `${at}.workingHours`, 200) } : {}),
  };
};

export const validateConversionRecord = (
  input: { convertedBy?: string; convertedAt?: string; originalReference?: string; originalSignedAt?: string },
  now: Date,
  at = 'conversion',
): ConversionRecord => {
  const convertedAt = (input.convertedAt ?? '').trim();
  const t = Date.parse(convertedAt);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(convertedAt) || Number.isNaN(t)) throw invalid(`${at}.convertedAt`, 'must be an ISO date-time.');
  if (t > now.getTime() + 5 * 60_000) throw invalid(`${at}.convertedAt`, 'is in the future.');
  return {
    convertedBy: text(input.convertedBy, `${at}.convertedBy`, 200),
    convertedAt: new Date(t).toISOString(),
    originalReference: text(input.originalReference, `${at}.originalReference`, 200),
    ...(input.originalSignedAt?.trim() ? { originalSignedAt: parseDate(input.originalSignedAt, `${at}.originalSignedAt`) } : {}),
  };
};
