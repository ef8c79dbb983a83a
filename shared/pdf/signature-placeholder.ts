import { createHash, type Hash } from 'node:crypto';
import { PDFHexString, PDFName } from 'pdf-lib';
import { AppError } from '../errors.js';
import { rememberSha256State, sha256StateOf } from '../util/bytes.js';

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
  /** The SHA-256 state after the file this revision was appended to (its first `headLength` bytes). */
  readonly head?: Hash;
  readonly headLength?: number;
}

/*
 * The SHA-256 state after every byte of a signed file this process made (a revision's output,
 * once its /Contents is written) is recorded (shared/util/bytes.ts, rememberSha256State): the next
 * revision appended to that same array starts from it instead of hashing the whole file again, so
 * appending the 50th signature does not hash the 49 before it, and the revision's content address
 * is a final block. Keyed by the array itself (weakly: it goes with the array): the signed bytes
 * are never written to after signing (embedSignature copies for that reason), and a file that came
 * from elsewhere (S3, an upload) is hashed in full, as before.
 */

/**
 * Locates the placeholders in the appended revision, fixes /ByteRange in place (the buffer is
 * the one the revision writer just made, owned by the caller) and hashes the covered bytes
 * as two ranges: the file is never copied here. `original`: the file the revision was appended
 * to (the first bytes of `pdf`); if this process signed it, its hash state is taken up where it
 * ended (sha256StateOf), else it is hashed here, and either way kept for the output.
 */
export const prepareByteRange = (pdf: Uint8Array, searchFrom: number, original?: Uint8Array): PreparedSignature => {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const nameAt = buf.indexOf(`/${BYTE_RANGE_TOKEN}`, searchFrom, 'latin1');
  if (nameAt < 0) throw new AppError('internal', 'signature placeholder missing');
  const contentsKey = buf.indexOf('/Contents', nameAt, 'latin1');
  const start = buf.indexOf('<', contentsKey, 'latin1');
  const end = buf.indexOf('>', start, 'latin1') + 1;
  if (contentsKey < 0 || start < 0 || end <= start) throw new AppError('internal', 'signature contents placeholder missing');
  const byteRange = [0, start, end, pdf.length - end] as const;
  buf.write(`[${byteRange.join(' ')}]`.padEnd(BYTE_RANGE_WIDTH + 1, ' '), nameAt, 'latin1');
  const contentsCapacity = (end - start - 2) / 2;
  if (!original || original.length > start) {
    const digest = new Uint8Array(createHash('sha256').update(buf.subarray(0, start)).update(buf.subarray(end)).digest());
    return { pdf, byteRange, digest, contentsCapacity };
  }
  const head = sha256StateOf(original) ?? createHash('sha256').update(buf.subarray(0, original.length));
  const digest = new Uint8Array(head.copy().update(buf.subarray(original.length, start)).update(buf.subarray(end)).digest());
  return { pdf, byteRange, digest, contentsCapacity, head, headLength: original.length };
};

/** Records the hash state after the whole signed file (see above). */
const rememberHash = (prepared: PreparedSignature, signed: Uint8Array): void => {
  if (prepared.head && prepared.headLength !== undefined) {
    rememberSha256State(signed, prepared.head.copy().update(signed.subarray(prepared.headLength)));
  }
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
  rememberHash(prepared, out);
  return out;
};

/** Writes the DER signature into the prepared bytes themselves: for a revision nobody else holds yet. */
export const embedSignatureInPlace = (prepared: PreparedSignature, der: Uint8Array): Uint8Array => {
  checkFits(prepared, der);
  writeHex(prepared.pdf, der, prepared.byteRange[1] + 1);
  rememberHash(prepared, prepared.pdf);
  return prepared.pdf;
};
