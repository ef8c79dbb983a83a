/**
 * Strict DER checks for input from the outside (RFC 3161 requests, TSA replies).
 * asn1js decodes BER leniently (indefinite lengths, long-form small lengths, non-minimal
 * integers), and a TSA that signs over a leniently read request could echo values the
 * client never encoded; so the bytes are walked once here before anything is trusted.
 */

export class DerError extends Error {
  override readonly name = 'DerError';
}

interface Tlv {
  readonly tag: number;
  readonly constructed: boolean;
  readonly contentStart: number;
  readonly end: number;
}

const readTlv = (bytes: Uint8Array, at: number, limit: number): Tlv => {
  const first = bytes[at];
  if (first === undefined || at >= limit) throw new DerError(`truncated tag at ${at}`);
  let pos = at + 1;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    // High tag numbers: base-128, minimal, and only for numbers that do not fit in the short form.
    tag = 0;
    for (;;) {
      const b = bytes[pos++];
      if (b === undefined || pos > limit) throw new DerError('truncated tag');
      if (tag === 0 && b === 0x80) throw new DerError('non-minimal tag number');
      tag = tag * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    if (tag < 0x1f) throw new DerError('high-tag form for a low tag number');
  }
  const lenByte = bytes[pos++];
  if (lenByte === undefined || pos > limit) throw new DerError('truncated length');
  let length = lenByte;
  if (lenByte === 0x80) throw new DerError('indefinite length');
  if (lenByte > 0x80) {
    const count = lenByte & 0x7f;
    if (count > 4) throw new DerError('length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[pos++];
      if (b === undefined || pos > limit) throw new DerError('truncated length');
      if (i === 0 && b === 0) throw new DerError('non-minimal length');
      length = length * 256 + b;
    }
    if (length < 0x80) throw new DerError('long-form length for a short length');
  }
  const end = pos + length;
  if (end > limit) throw new DerError('length runs past the end');
  return { tag: (first & 0xc0) * 0x100 + tag, constructed: (first & 0x20) !== 0, contentStart: pos, end };
};

const UNIVERSAL_BOOLEAN = 0x01;
const UNIVERSAL_INTEGER = 0x02;
const UNIVERSAL_BIT_STRING = 0x03;
const UNIVERSAL_OCTET_STRING = 0x04;

const checkPrimitive = (bytes: Uint8Array, tlv: Tlv): void => {
  const len = tlv.end - tlv.contentStart;
  const b0 = bytes[tlv.contentStart];
  const b1 = bytes[tlv.contentStart + 1];
  switch (tlv.tag) {
    case UNIVERSAL_BOOLEAN:
      if (len !== 1 || (b0 !== 0x00 && b0 !== 0xff)) throw new DerError('BOOLEAN must be one byte, 00 or FF');
      return;
    case UNIVERSAL_INTEGER:
      if (len === 0) throw new DerError('empty INTEGER');
      if (len > 1 && ((b0 === 0x00 && (b1 ?? 0) < 0x80) || (b0 === 0xff && (b1 ?? 0) >= 0x80))) throw new DerError('non-minimal INTEGER');
      return;
    case UNIVERSAL_BIT_STRING:
      if (len === 0 || (b0 ?? 0) > 7 || (len === 1 && b0 !== 0)) throw new DerError('malformed BIT STRING');
      return;
  }
};

const walk = (bytes: Uint8Array, start: number, end: number, depth: number): void => {
  if (depth > 32) throw new DerError('nesting too deep');
  let at = start;
  while (at < end) {
    const tlv = readTlv(bytes, at, end);
    if (tlv.constructed) {
      // DER forbids the constructed forms of string types.
      if (tlv.tag === UNIVERSAL_BIT_STRING || tlv.tag === UNIVERSAL_OCTET_STRING) throw new DerError('constructed string');
      walk(bytes, tlv.contentStart, tlv.end, depth + 1);
    } else {
      checkPrimitive(bytes, tlv);
    }
    at = tlv.end;
  }
};

/**
 * Throws DerError unless `bytes` is exactly one DER-encoded element: definite minimal lengths,
 * minimal integers, canonical booleans, primitive strings, nothing after the end. (SET OF
 * ordering and DEFAULT omission are left to the structure parsers that know the schema.)
 */
export const assertDer = (bytes: Uint8Array): void => {
  if (bytes.length === 0) throw new DerError('empty input');
  const tlv = readTlv(bytes, 0, bytes.length);
  if (tlv.end !== bytes.length) throw new DerError('trailing bytes after the element');
  walk(bytes, 0, bytes.length, 0);
};

/** Decodes an OBJECT IDENTIFIER's content octets; BigInt because UUID arcs (2.25.…) exceed 2^53. */
export const decodeOid = (content: Uint8Array): string => {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const b of content) {
    value = (value << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
};

/** The content octets of one encoded element (tag and length stripped). */
export const contentOctets = (tlv: Uint8Array): Uint8Array => {
  const { contentStart, end } = readTlv(tlv, 0, tlv.length);
  return tlv.subarray(contentStart, end);
};

/** Dotted form of a decoded asn1js OBJECT IDENTIFIER block, big arcs included. */
export const oidOf = (block: { valueBeforeDecodeView: Uint8Array; toBER(sizeOnly?: boolean): ArrayBuffer }): string =>
  decodeOid(contentOctets(block.valueBeforeDecodeView.length ? block.valueBeforeDecodeView : new Uint8Array(block.toBER(false))));
