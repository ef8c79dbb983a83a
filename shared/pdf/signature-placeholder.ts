import { PDFHexString, PDFName } from 'pdf-lib';
import { AppError } from '../errors.js';
import { latin1, sha256 } from '../util/bytes.js';

/**
 * /ByteRange is written first as a name of the same width as the final array, then
 * overwritten in place once offsets are known; /Contents is a zero-filled hex string that
 * the CMS is written into. Neither changes length, so no other offset moves.
 */
const BYTE_RANGE_WIDTH = 4 * 11 + 1; // "[0 " + 3 numbers of up to 10 digits + spaces + "]"
const BYTE_RANGE_TOKEN = `KysoByteRange${'_'.repeat(BYTE_RANGE_WIDTH - 1 - 'KysoByteRange'.length)}`;

export const byteRangePlaceholder = (): PDFName => PDFName.of(BYTE_RANGE_TOKEN);

export const contentsPlaceholder = (bytes: number): PDFHexString => PDFHexString.of('0'.repeat(bytes * 2));

export interface PreparedSignature {
  /** The whole file with placeholders filled by ByteRange and zeros. */
  readonly pdf: Uint8Array;
  readonly byteRange: readonly [number, number, number, number];
  /** SHA-256 of the bytes the ByteRange covers: what the CMS message-digest attests. */
  readonly digest: Uint8Array;
  readonly contentsCapacity: number;
}

/** Locates the placeholders in the appended revision, fixes /ByteRange and hashes the covered bytes. */
export const prepareByteRange = (pdf: Uint8Array, searchFrom: number): PreparedSignature => {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const nameAt = buf.indexOf(`/${BYTE_RANGE_TOKEN}`, searchFrom, 'latin1');
  if (nameAt < 0) throw new AppError('internal', 'signature placeholder missing');
  const contentsKey = buf.indexOf('/Contents', nameAt, 'latin1');
  const start = buf.indexOf('<', contentsKey, 'latin1');
  const end = buf.indexOf('>', start, 'latin1') + 1;
  if (contentsKey < 0 || start < 0 || end <= start) throw new AppError('internal', 'signature contents placeholder missing');
  const byteRange = [0, start, end, pdf.length - end] as const;
  const text = `[${byteRange.join(' ')}]`.padEnd(BYTE_RANGE_WIDTH + 1, ' ');
  const out = new Uint8Array(pdf);
  out.set(latin1(text), nameAt);
  const hash = sha256(Buffer.concat([out.subarray(0, start), out.subarray(end)]));
  return { pdf: out, byteRange, digest: hash, contentsCapacity: (end - start - 2) / 2 };
};

/** Writes the DER signature into the reserved /Contents. */
export const embedSignature = (prepared: PreparedSignature, der: Uint8Array): Uint8Array => {
  if (der.length > prepared.contentsCapacity) {
    throw new AppError('internal', `signature is ${der.length} bytes, only ${prepared.contentsCapacity} reserved`);
  }
  const out = new Uint8Array(prepared.pdf);
  const hex = Buffer.from(der).toString('hex').toUpperCase();
  out.set(latin1(hex), prepared.byteRange[1] + 1);
  return out;
};
