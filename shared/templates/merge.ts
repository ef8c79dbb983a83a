import { escapeHtml } from '../../web/shared/html.js';
import { AppError } from '../errors.js';
import type { MergeValues } from './types.js';

/** `{{ho_ten}}`, `{{ ho_ten }}`: letters (any script), digits, `_`, `.`, `-`. */
const MERGE_FIELD = /\{\{\s*([\p{L}\p{N}_.-]+)\s*\}\}/gu;

/** The merge fields used in `texts`, in order of first use, each once. */
export const findMergeFields = (...texts: string[]): string[] => {
  const seen = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(MERGE_FIELD)) seen.add(m[1] as string);
  return [...seen];
};

/** Values as trimmed strings; a field without a non-blank value is missing (a contract never goes out with a blank name). */
export const missingMergeValues = (fields: readonly string[], values: MergeValues): string[] =>
  fields.filter((f) => String(values[f] ?? '').trim() === '');

export const assertMergeValues = (fields: readonly string[], values: MergeValues): void => {
  const missing = missingMergeValues(fields, values);
  if (missing.length) {
    throw new AppError('missing_merge_values', `Missing merge values: ${missing.join(', ')}.`, { missing });
  }
};

/**
 * Fills `{{name}}` in HTML. Values are text: they are HTML-escaped before the HTML is
 * parsed, so a value like `<b>` or `&amp;` appears literally and cannot change the layout.
 */
export const mergeHtml = (html: string, values: MergeValues): string =>
  html.replace(MERGE_FIELD, (_, name: string) => escapeHtml(String(values[name] ?? '').trim()));

/** Fills `{{name}}` in plain text (the envelope title). */
export const mergeText = (text: string, values: MergeValues): string =>
  text.replace(MERGE_FIELD, (_, name: string) => String(values[name] ?? '').trim());

/** "Người lao động" → "nguoi_lao_dong": the CSV column prefix of a role. */
export const slugify = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
