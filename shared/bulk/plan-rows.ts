import { AppError } from '../errors.js';
import { parseCsv } from '../templates/csv.js';
import type { Template } from '../templates/types.js';
import type { BulkRowInput } from './types.js';

export const MAX_BULK_ROWS = 10_000;

/**
 * Maps a CSV onto a template. The header row names the columns:
 *   - a merge field's name (`ho_ten`, `dia_chi`, …) → that merge value;
 *   - `<role key>_email`, `<role key>_name` → the recipient of that role slot, where the key
 *     is the role's `key` (default: its name without diacritics, e.g. "Người lao động" →
 *     `nguoi_lao_dong`); a role with a fixed recipient in the template needs no columns
 *     (non-empty cells override it);
 *   - anything else is ignored and reported.
 * A missing column is an error of the whole request (400); a bad cell only fails its row.
 */
export const planBulkRows = (template: Template, csv: string): { rows: BulkRowInput[]; ignoredColumns: string[] } => {
  const records = parseCsv(csv);
  const header = records[0];
  if (!header) throw new AppError('validation_failed', 'The CSV is empty: it needs a header row and at least one data row.');
  const names = header.fields.map((h) => h.trim());
  const column = (name: string) => {
    const exact = names.indexOf(name);
    return exact >= 0 ? exact : names.findIndex((n) => n.toLowerCase() === name.toLowerCase());
  };
  const used = new Set<number>();
  const missing: string[] = [];
  const mergeColumns = template.mergeFields.map((f) => {
    const c = column(f);
    if (c < 0) missing.push(f);
    else used.add(c);
    return [f, c] as const;
  });
  const roleColumns = template.roles.map((r) => {
    const email = column(`${r.key}_email`);
    const name = column(`${r.key}_name`);
    if (!r.recipient && r.role !== 'seal') {
      if (email < 0) missing.push(`${r.key}_email`);
      if (name < 0) missing.push(`${r.key}_name`);
    }
    for (const c of [email, name]) if (c >= 0) used.add(c);
    return { key: r.key, email, name };
  });
  if (missing.length) {
    throw new AppError('validation_failed', `The CSV lacks the column(s): ${missing.join(', ')}.`, { missingColumns: missing });
  }
  const data = records.slice(1);
  if (data.length === 0) throw new AppError('validation_failed', 'The CSV has a header row but no data rows.');
  if (data.length > MAX_BULK_ROWS)
    throw new AppError('validation_failed', `At most ${MAX_BULK_ROWS} rows per bulk send; this CSV has ${data.length}.`);
  const cell = (fields: readonly string[], c: number) => (c >= 0 ? (fields[c] ?? '').trim() : undefined);
  const rows = data.map((rec, i): BulkRowInput => {
    const values = Object.fromEntries(mergeColumns.map(([f, c]) => [f, cell(rec.fields, c) ?? '']));
    const recipients = Object.fromEntries(
      roleColumns.map((r) => {
        const name = cell(rec.fields, r.name);
        const email = cell(rec.fields, r.email);
        return [r.key, { ...(name ? { name } : {}), ...(email ? { email } : {}) }];
      }),
    );
    const error =
      rec.fields.length > names.length ? `The row has ${rec.fields.length} cells but the header has ${names.length}.` : undefined;
    return { row: i + 1, line: rec.line, values, recipients, ...(error ? { error } : {}) };
  });
  return { rows, ignoredColumns: names.filter((n, i) => !used.has(i) && n !== '') };
};
