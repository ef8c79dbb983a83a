import { AppError } from '../errors.js';
import type { LabourIndex, LabourReportRow } from './ports.js';

const MAX_RANGE_DAYS = 366;

/** `from` / `to` as ISO instants (a date means its midnight UTC); at most a year apart. */
export const reportRange = (from: string | undefined, to: string | undefined, now: Date): { from: string; to: string } => {
  const parse = (raw: string | undefined, name: string, fallback: Date) => {
    if (!raw) return fallback;
    const t = Date.parse(raw);
    if (Number.isNaN(t)) throw new AppError('validation_failed', `${name}: "${raw}" is not an ISO date or date-time.`);
    return new Date(t);
  };
  const end = parse(to, 'to', now);
  const start = parse(from, 'from', new Date(end.getTime() - 30 * 86400_000));
  if (start >= end) throw new AppError('validation_failed', 'from must be before to.');
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * 86400_000) {
    throw new AppError('validation_failed', `A report covers at most ${MAX_RANGE_DAYS} days; split the period.`);
  }
  return { from: start.toISOString(), to: end.toISOString() };
};

export const labourReport = (index: LabourIndex, tenantId: string, range: { from: string; to: string }) =>
  index.report(tenantId, range.from, range.to);

export const REPORT_COLUMNS: readonly (keyof LabourReportRow)[] = [
  'envelopeId',
  'completedAt',
  'act',
  'status',
  'nationalId',
  'relatesTo',
  'employeeName',
  'employeeIdNumber',
  'employerTaxCode',
  'contractType',
  'startDate',
  'endDate',
  'converted',
  'late',
  'overdue',
  'reason',
  'title',
];

/** RFC 4180: every cell quoted; a cell starting with = + - @ gets a leading ' so spreadsheets do not run it as a formula. */
const cell = (v: unknown) => {
  const s = v === undefined ? '' : String(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
};

/** The report as CSV (UTF-8 with BOM so Excel shows Vietnamese correctly). */
export const reportCsv = (rows: readonly LabourReportRow[]): string =>
  `\uFEFF${[REPORT_COLUMNS.join(','), ...rows.map((r) => REPORT_COLUMNS.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`;
