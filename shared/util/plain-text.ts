import { AppError } from '../errors.js';

/**
 * C0 controls (incl. CR, LF, TAB), DEL, C1 controls, the Unicode line/paragraph separators, and
 * the bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069): a right-to-left
 * override in a name can make "Nguyễn Văn A‮fdp.exe" read otherwise in a header or a CN. Vietnamese
 * text never needs them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point of this check.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Refuses control characters in one-line text that ends up in email subjects, certificate
 * names (CN) and PDF stamps: a CR/LF there could inject a header or forge a line.
 */
export const requirePlainText = (value: string, field: string): void => {
  if (CONTROL.test(value)) throw new AppError('control_characters', `${field} must not contain line breaks or other control characters.`);
};
