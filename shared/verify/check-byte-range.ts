import { isAllHex } from '../pdf/pdf-bytes.js';
import type { SignatureReport } from './types.js';

/** Whether nothing but whitespace (JavaScript's \s over Latin-1) follows `from`; stops at the first other byte. */
const onlyWhitespaceAfter = (bytes: Uint8Array, from: number): boolean => {
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (!((b >= 0x09 && b <= 0x0d) || b === 0x20 || b === 0xa0)) return false;
  }
  return true;
};

/**
 * A ByteRange must start at 0, leave out exactly the /Contents hex string (so nothing
 * unsigned can hide in the gap), and end where a revision ends (%%EOF).
 */
export const checkByteRange = (bytes: Uint8Array, range: readonly number[]): SignatureReport['coverage'] & { wellFormed: boolean } => {
  const [a, b, c, d] = range;
  const bad = (detail: string) => ({ revisionEnd: 0, coversRevision: false, coversWholeFile: false, wellFormed: false, detail });
  if (range.length !== 4 || [a, b, c, d].some((n) => n === undefined || !Number.isInteger(n) || n < 0)) {
    return bad('the ByteRange is not four non-negative integers');
  }
  const [start, len1, off2, len2] = [a, b, c, d] as number[] as [number, number, number, number];
  const end = off2 + len2;
  if (start !== 0 || off2 < len1 || end > bytes.length) return bad('the ByteRange does not start at 0 or runs past the file');
  if (off2 - len1 < 2 || bytes[len1] !== 0x3c || bytes[off2 - 1] !== 0x3e || !isAllHex(bytes, len1 + 1, off2 - 1)) {
    return bad('the bytes left out of the ByteRange are not exactly the /Contents hex string');
  }
  const tail = Buffer.from(bytes.buffer, bytes.byteOffset + Math.max(0, end - 8), Math.min(8, end)).toString('latin1');
  const coversRevision = /%%EOF\s*$/.test(tail);
  return {
    revisionEnd: end,
    coversRevision,
    coversWholeFile: end === bytes.length || (coversRevision && onlyWhitespaceAfter(bytes, end)),
    wellFormed: true,
    ...(coversRevision ? {} : { detail: 'the ByteRange does not end at the end of a revision (%%EOF)' }),
  };
};
