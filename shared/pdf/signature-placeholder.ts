import { createHash } from 'node:crypto';
import { PDFHexString, PDFName } from 'pdf-lib';
import { AppError } from '../errors.js';

/**
 * /ByteRange is written first as a name of the same width as the final array, then
 * overwritten in place once offsets are known; /Contents is a zero-filled hex string that
 * the CMS is written into. Neither changes length, so no other offset moves.
 */
const BYTE_RANGE_WIDTH = 4 * 11 + 1; // "[0 " + 3 numbers of up to 10 digits + spaces + "]"
const BYTE_RANGE_TOKEN = `KysoByteRange${'_'.repeat(BYTE_RANGE_WIDTH - 1 - 'KysoByteRange'.length)}`;

export const byteRangePlaceholder = (): PDFName => PDFName.of(BYTE_RANGE_TOKEN);

const HexString = PDFHexString as unknown as new (value: string) => PDFHexString;

/** `<00…00>`, written with one fill instead of pdf-lib's character-by-character copy (2 × the CMS size). */
class ZeroHexString extends HexString {
  constructor(private readonly digits: number) {
    super('0'.repeat(digits));
  }
  override sizeInBytes(): number {
    return this.digits + 2;
  }
  override copyBytesInto(buffer: Uint8Array, offset: number): number {
    buffer[offset] = 0x3c;
    buffer.fill(0x30, offset + 1, offset + 1 + this.digits);
    buffer[offset + 1 + this.digits] = 0x3e;
    return this.digits + 2;
  }
}

export const contentsPlaceholder = (bytes: number): PDFHexString => new ZeroHexString(bytes * 2);

export interface PreparedSignature {
  /** The whole file with placeholders filled by ByteRange and zeros. */
  readonly pdf: Uint8Array;
  readonly byteRange: readonly [number, number, number, number];
  /** SHA-256 of the bytes the ByteRange covers: what the CMS message-digest attests. */
  readonly digest: Uint8Array;
  readonly contentsCapacity: number;
}

/**
 * Locates the placeholders in the appended revision, fixes /ByteRange in place (the buffer is
 * the one the revision writer just made, owned by the caller) and hashes the covered bytes
 * as two ranges: the file is never copied here. The SHA-256 over the whole file is the one
 * cost that must grow with the file.
 */
export const prepareByteRange = (pdf: Uint8Array, searchFrom: number): PreparedSignature => {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const nameAt = buf.indexOf(`/${BYTE_RANGE_TOKEN}`, searchFrom, 'latin1');
  if (nameAt < 0) throw new AppError('internal', 'signature placeholder missing');
  const contentsKey = buf.indexOf('/Contents', nameAt, 'latin1');
  const start = buf.indexOf('<', contentsKey, 'latin1');
  const end = buf.indexOf('>', start, 'latin1') + 1;
  if (contentsKey < 0 || start < 0 || end <= start) throw new AppError('internal', 'signature contents placeholder missing');
  const byteRange = [0, start, end, pdf.length - end] as const;
  buf.write(`[${byteRange.join(' ')}]`.padEnd(BYTE_RANGE_WIDTH + 1, ' '), nameAt, 'latin1');
  const digest = new Uint8Array(createHash('sha256').update(buf.subarray(0, start)).update(buf.subarray(end)).digest());
  return { pdf, byteRange, digest, contentsCapacity: (end - start - 2) / 2 };
};

const writeHex = (out: Uint8Array, der: Uint8Array, at: number): void => {
  Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(
    Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('hex').toUpperCase(),
    at,
    'latin1',
  );
};

const checkFits = (prepared: PreparedSignature, der: Uint8Array): void => {
  if (der.length > prepared.contentsCapacity) {
    throw new AppError('internal', `signature is ${der.length} bytes, only ${prepared.contentsCapacity} reserved`);
  }
};

/** Writes the DER signature into a copy of the prepared bytes (they may be stored, e.g. a pinned revision). */
export const embedSignature = (prepared: PreparedSignature, der: Uint8Array): Uint8Array => {
  checkFits(prepared, der);
  const out = new Uint8Array(prepared.pdf);
  writeHex(out, der, prepared.byteRange[1] + 1);
  return out;
};

/** Writes the DER signature into the prepared bytes themselves: for a revision nobody else holds yet. */
export const embedSignatureInPlace = (prepared: PreparedSignature, der: Uint8Array): Uint8Array => {
  checkFits(prepared, der);
  writeHex(prepared.pdf, der, prepared.byteRange[1] + 1);
  return prepared.pdf;
};
