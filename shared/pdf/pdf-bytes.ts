/**
 * Scans over the raw bytes of a PDF for verification (issue 16). A whole-file Latin-1 string
 * (Buffer#toString('latin1')) costs several milliseconds per 100 KB here, more than hashing the
 * file, so the fast path searches the bytes (Buffer#indexOf is memchr) and converts only small
 * slices. Each function gives exactly what the regular expression it names would give on the
 * file read as Latin-1 (JavaScript's \s over Latin-1 is 09–0D, 20 and A0; \d is 0–9).
 */

export const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** JavaScript's \s over a Latin-1 string. */
export const isJsSpace = (c: number | undefined): boolean => c !== undefined && ((c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0);
export const isAsciiDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
/** JavaScript's \w (what \b looks at). */
export const isWordChar = (c: number | undefined): boolean =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f);

const HEX_DIGIT = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX_DIGIT[c.charCodeAt(0)] = 1;

/** Whether every byte in [from, to) is a hex digit (a table lookup per byte: a /Contents string is 16–64 K). */
export const isAllHex = (bytes: Uint8Array, from: number, to: number): boolean => {
  let ok = 1;
  for (let i = from; i < to; i++) ok &= HEX_DIGIT[bytes[i] as number] as number;
  return ok === 1;
};

export interface ObjectHeader {
  /** Where the object number starts. */
  readonly at: number;
  /** Just after "obj". */
  readonly body: number;
  readonly num: number;
  readonly gen: number;
}

const OBJ = Buffer.from('obj', 'latin1');

const digitsValue = (buf: Buffer, from: number, to: number): number => {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (buf[i] as number) - 0x30;
  return v;
};

/**
 * Every match of /(?:^|[\s>])(\d{1,10})\s+(\d{1,5})\s+obj\b/g, in file order, read backwards
 * from each "obj": the digits and spaces before it decide, and two matches cannot overlap (a
 * match holds only digits and spaces before its "obj").
 */
export const scanObjectHeaders = (bytes: Uint8Array): ObjectHeader[] => {
  const buf = asBuffer(bytes);
  const out: ObjectHeader[] = [];
  for (let p = buf.indexOf(OBJ); p >= 0; p = buf.indexOf(OBJ, p + 1)) {
    if (isWordChar(buf[p + 3])) continue;
    let i = p - 1;
    if (!isJsSpace(buf[i])) continue;
    while (isJsSpace(buf[i])) i--;
    const genEnd = i + 1;
    while (isAsciiDigit(buf[i])) i--;
    const genStart = i + 1;
    if (genStart === genEnd || genEnd - genStart > 5 || !isJsSpace(buf[i])) continue;
    while (isJsSpace(buf[i])) i--;
    const numEnd = i + 1;
    while (isAsciiDigit(buf[i])) i--;
    const numStart = i + 1;
    if (numStart === numEnd || numEnd - numStart > 10) continue;
    if (i >= 0 && !isJsSpace(buf[i]) && buf[i] !== 0x3e) continue;
    out.push({ at: numStart, body: p + 3, num: digitsValue(buf, numStart, numEnd), gen: digitsValue(buf, genStart, genEnd) });
  }
  return out;
};

/** Whether /ObjStm\b occurs at or after `from`. */
export const hasObjStmAfter = (bytes: Uint8Array, from: number): boolean => {
  const buf = asBuffer(bytes);
  for (let p = buf.indexOf('/ObjStm', from, 'latin1'); p >= 0; p = buf.indexOf('/ObjStm', p + 1, 'latin1')) {
    if (!isWordChar(buf[p + 7])) return true;
  }
  return false;
};

/** Reads `\s+(\d+)` at `i` within [i, end): [value text, index after it] or undefined. */
const spacedDigits = (buf: Buffer, i: number, end: number): [string, number] | undefined => {
  let j = i;
  while (j < end && isJsSpace(buf[j])) j++;
  if (j === i) return undefined;
  const from = j;
  while (j < end && isAsciiDigit(buf[j])) j++;
  return j === from ? undefined : [buf.toString('latin1', from, j), j];
};

/**
 * The number of the last match of /\/Root\s+(\d+)\s+\d+\s+R/g (`withRef`) or of /\/Size\s+(\d+)/g
 * in bytes [from, to): matches start with their only "/", so the last one is the last start that matches.
 */
export const lastKeyNumber = (bytes: Uint8Array, key: 'Root' | 'Size', from: number, to: number): number | undefined => {
  const buf = asBuffer(bytes);
  const name = `/${key}`;
  const next = (before: number) => (before < 0 ? -1 : buf.lastIndexOf(name, before, 'latin1'));
  for (let p = next(to - name.length); p >= from && p >= 0; p = next(p - 1)) {
    const first = spacedDigits(buf, p + name.length, to);
    if (!first) continue;
    if (key === 'Size') return Number(first[0]);
    const second = spacedDigits(buf, first[1], to);
    if (!second) continue;
    let j = second[1];
    const afterDigits = j;
    while (j < to && isJsSpace(buf[j])) j++;
    if (j > afterDigits && j < to && buf[j] === 0x52) return Number(first[0]);
  }
  return undefined;
};

const BYTE_RANGE = 'ByteRange';
/** The regular characters a PDF name runs over end at these (and at \s): /[\s/<>[\]()%{}]/. */
const isNameEnd = (c: number | undefined): boolean =>
  c === undefined ||
  isJsSpace(c) ||
  c === 0x2f ||
  c === 0x3c ||
  c === 0x3e ||
  c === 0x5b ||
  c === 0x5d ||
  c === 0x28 ||
  c === 0x29 ||
  c === 0x25 ||
  c === 0x7b ||
  c === 0x7d;
const hexValue = (c: number | undefined): number =>
  c === undefined ? -1 : c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/** Whether a /ByteRange name (#-escapes included, as pdf-lib decodes them) starts at `p` (the "/"). */
const byteRangeNameAt = (buf: Buffer, p: number): boolean => {
  let i = p + 1;
  for (let k = 0; k < BYTE_RANGE.length; k++) {
    const want = BYTE_RANGE.charCodeAt(k);
    if (buf[i] === want) i++;
    else {
      const hi = hexValue(buf[i + 1]);
      const lo = hexValue(buf[i + 2]);
      if (buf[i] !== 0x23 || hi < 0 || lo < 0 || hi * 16 + lo !== want) return false;
      i += 3;
    }
  }
  return isNameEnd(buf[i]);
};

/** Offsets of every /ByteRange name in the file (a name starts "/B" or "/#"). */
export const byteRangeNames = (bytes: Uint8Array): number[] => {
  const buf = asBuffer(bytes);
  const found: number[] = [];
  for (const start of ['/B', '/#']) {
    for (let p = buf.indexOf(start, 0, 'latin1'); p >= 0; p = buf.indexOf(start, p + 1, 'latin1')) {
      if (byteRangeNameAt(buf, p)) found.push(p);
    }
  }
  return found.sort((a, b) => a - b);
};
