import { decodeOid } from '../pki/der.js';

/**
 * A lenient BER reader for verification (issue 16): it only finds where each element is, so a
 * CMS, certificate or CRL is read by slicing the input instead of building an object per
 * element (pkijs took ~10 ms per signature, most of a verification). Indefinite lengths and
 * constructed strings are accepted, as asn1js accepts them: signatures come from any signer.
 * Anything that does not fit its schema throws a BerError, which the callers turn into the
 * same "not a readable CMS / certificate" outcome as before.
 */
export class BerError extends Error {
  override readonly name = 'BerError';
}

export const UNIVERSAL = 0;
export const CONTEXT = 2;

export class Ber {
  constructor(
    readonly bytes: Uint8Array,
    /** 0 universal, 1 application, 2 context-specific, 3 private. */
    readonly cls: number,
    readonly tag: number,
    readonly constructed: boolean,
    readonly start: number,
    readonly contentStart: number,
    /** End of the content (before an end-of-contents marker). */
    readonly contentEnd: number,
    /** End of the whole element. */
    readonly end: number,
  ) {}

  private whole: Uint8Array | undefined;

  /** The element as encoded (tag, length, content); the same array each time (parses are memoised per array). */
  get encoded(): Uint8Array {
    this.whole ??= this.bytes.subarray(this.start, this.end);
    return this.whole;
  }

  get content(): Uint8Array {
    return this.bytes.subarray(this.contentStart, this.contentEnd);
  }

  is(cls: number, tag: number): boolean {
    return this.cls === cls && this.tag === tag;
  }

  children(): Ber[] {
    if (!this.constructed) throw new BerError(`element [${this.cls}:${this.tag}] is not constructed`);
    const out: Ber[] = [];
    for (let at = this.contentStart; at < this.contentEnd; ) {
      const child = readBer(this.bytes, at, this.contentEnd);
      out.push(child);
      at = child.end;
    }
    return out;
  }
}

const MAX_DEPTH = 64;

/** End of an indefinite-length content: the offset of its end-of-contents marker (00 00). */
const findEoc = (bytes: Uint8Array, at: number, limit: number, depth: number): number => {
  let pos = at;
  for (;;) {
    if (pos + 2 > limit) throw new BerError('indefinite length without end-of-contents');
    if (bytes[pos] === 0 && bytes[pos + 1] === 0) return pos;
    pos = readBer(bytes, pos, limit, depth + 1).end;
  }
};

/** One element starting at `at`, which must end by `limit`. */
export const readBer = (bytes: Uint8Array, at: number, limit: number = bytes.length, depth = 0): Ber => {
  if (depth > MAX_DEPTH) throw new BerError('nesting too deep');
  const first = bytes[at];
  if (first === undefined || at >= limit) throw new BerError(`truncated element at ${at}`);
  let pos = at + 1;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i++) {
      const b = bytes[pos++];
      if (b === undefined || pos > limit || i > 4) throw new BerError('bad tag');
      tag = tag * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
  }
  const constructed = (first & 0x20) !== 0;
  const lenByte = bytes[pos++];
  if (lenByte === undefined || pos > limit) throw new BerError('truncated length');
  if (lenByte === 0x80) {
    if (!constructed) throw new BerError('indefinite length on a primitive element');
    const eoc = findEoc(bytes, pos, limit, depth);
    return new Ber(bytes, first >> 6, tag, constructed, at, pos, eoc, eoc + 2);
  }
  let length = lenByte;
  if (lenByte > 0x80) {
    const count = lenByte & 0x7f;
    if (count > 6) throw new BerError('length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[pos++];
      if (b === undefined || pos > limit) throw new BerError('truncated length');
      length = length * 256 + b;
    }
  }
  const end = pos + length;
  if (end > limit) throw new BerError('length runs past the end');
  return new Ber(bytes, first >> 6, tag, constructed, at, pos, end, end);
};

/** The single element that makes up `bytes` (trailing bytes are ignored, as asn1js ignores them). */
export const parseBer = (bytes: Uint8Array): Ber => readBer(bytes, 0, bytes.length);

export const expect = (b: Ber | undefined, cls: number, tag: number, what: string): Ber => {
  if (!b?.is(cls, tag)) throw new BerError(`${what}: unexpected element`);
  return b;
};

export const SEQUENCE = 16;
export const SET = 17;

export const sequence = (b: Ber | undefined, what: string): Ber[] => expect(b, UNIVERSAL, SEQUENCE, what).children();

const oids = new Map<string, string>();

/** Dotted form of an OBJECT IDENTIFIER (memoised per process: the set of OIDs in use is small). */
export const oidOf = (b: Ber | undefined, what = 'object identifier'): string => {
  const content = expect(b, UNIVERSAL, 6, what).content;
  const key = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1');
  let oid = oids.get(key);
  if (oid === undefined) {
    oid = decodeOid(content);
    if (oids.size < 4096) oids.set(key, oid);
  }
  return oid;
};

/** The octets of an OCTET STRING, primitive or constructed from segments. */
export const octets = (b: Ber | undefined, what: string): Uint8Array => {
  if (!b) throw new BerError(`${what}: missing`);
  if (!b.constructed) return b.content;
  return new Uint8Array(Buffer.concat(b.children().map((c) => octets(c, what))));
};

/** The bits of a BIT STRING, without the unused-bits octet. */
export const bitStringBytes = (b: Ber | undefined, what: string): Uint8Array => {
  const s = expect(b, UNIVERSAL, 3, what);
  if (s.constructed || s.contentEnd <= s.contentStart) throw new BerError(`${what}: malformed BIT STRING`);
  return s.bytes.subarray(s.contentStart + 1, s.contentEnd);
};

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** UTCTime (years 50–99 are 19xx, as asn1js reads them) or GeneralizedTime (fractions, Z or ±hhmm). */
export const timeOf = (b: Ber | undefined, what: string): Date => {
  if (!b || b.cls !== UNIVERSAL || (b.tag !== 23 && b.tag !== 24)) throw new BerError(`${what}: not a time`);
  const s = latin1(b.content);
  const m =
    b.tag === 23
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:(Z)|([+-])(\d{2})(\d{2}))?$/.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(?:(Z)|([+-])(\d{2})(\d{2}))?$/.exec(s);
  if (!m) throw new BerError(`${what}: malformed time`);
  const n = (i: number) => Number(m[i] ?? 0);
  let year = n(1);
  if (b.tag === 23) year += year >= 50 ? 1900 : 2000;
  const fraction = b.tag === 24 && m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const [signAt, hAt, mAt] = b.tag === 23 ? [8, 9, 10] : [9, 10, 11];
  const offset = m[signAt] ? (m[signAt] === '-' ? -1 : 1) * (n(hAt) * 60 + n(mAt)) * 60_000 : 0;
  return new Date(Date.UTC(year, n(2) - 1, n(3), n(4), n(5), n(6)) + Math.floor(fraction) - offset);
};

const DECODERS: Record<number, (b: Uint8Array) => string> = {
  12: (b) => {
    const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    const s = buf.toString('utf8');
    // asn1js keeps the octets as characters when they are not valid UTF-8 (a damaged name reads the same as before).
    return s.includes('\uFFFD') && !buf.equals(Buffer.from(s, 'utf8')) ? buf.toString('latin1') : s;
  },
  30: (b) => {
    let s = '';
    for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(((b[i] as number) << 8) | (b[i + 1] as number));
    return s;
  },
  28: (b) => {
    let s = '';
    for (let i = 0; i + 3 < b.length; i += 4) {
      s += String.fromCodePoint(
        ((b[i] as number) * 2 ** 24 + ((b[i + 1] as number) << 16) + ((b[i + 2] as number) << 8) + (b[i + 3] as number)) >>> 0,
      );
    }
    return s;
  },
};
/** NumericString, PrintableString, TeletexString, VideotexString, IA5String, Graphic/Visible/General/CharacterString: one char per octet. */
const SIMPLE = new Set([18, 19, 20, 21, 22, 25, 26, 27, 29]);

/** The text of an ASN.1 string type, decoded as asn1js decodes it; undefined for anything else. */
export const stringOf = (b: Ber): string | undefined => {
  if (b.cls !== UNIVERSAL || b.constructed) return undefined;
  const decode = DECODERS[b.tag];
  if (decode) return decode(b.content);
  return SIMPLE.has(b.tag) ? latin1(b.content) : undefined;
};
