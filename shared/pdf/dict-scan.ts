/**
 * Reads the top-level entries of a PDF dictionary straight from the file's bytes without
 * building objects: each key with the byte range of its value. A revision uses it to look
 * at many objects it will not change (earlier trailers for /Prev, sibling fields for /T,
 * page-tree kids for /Type and /Count) at a small fraction of pdf-lib's parsing cost; the
 * objects it does change are parsed by pdf-lib as before.
 *
 * Anything it does not understand (a key written with #xx escapes, nesting deeper than 32,
 * running off the end) is a DictScanError: callers then parse the object the ordinary way.
 */
export class DictScanError extends Error {
  override readonly name = 'DictScanError';
}

import { type PDFContext, PDFRef } from 'pdf-lib';

export type ValueRange = readonly [start: number, end: number];

const isWhite = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
/** ( ) < > [ ] { } / % */
const isDelimiter = (c: number | undefined) =>
  c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x2f || c === 0x25;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

class Scanner {
  constructor(
    public bytes: Uint8Array,
    public pos: number,
  ) {}

  private at(i = 0): number | undefined {
    return this.bytes[this.pos + i];
  }

  private fail(why: string): never {
    throw new DictScanError(`${why} at ${this.pos}`);
  }

  skipWhite(): void {
    for (;;) {
      const c = this.at();
      if (c === undefined) this.fail('end of file');
      if (isWhite(c)) this.pos++;
      else if (c === 0x25) {
        while (this.at() !== undefined && this.at() !== 0x0a && this.at() !== 0x0d) this.pos++;
      } else return;
    }
  }

  /** A regular token (number, keyword, name body): up to whitespace or a delimiter. */
  private token(): void {
    const from = this.pos;
    while (this.at() !== undefined && !isWhite(this.at()) && !isDelimiter(this.at())) this.pos++;
    if (this.pos === from) this.fail('empty token');
  }

  /** Skips a name; returns where its characters start (after the slash). */
  name(): number {
    if (this.at() !== 0x2f) this.fail('name expected');
    const from = ++this.pos;
    while (this.at() !== undefined && !isWhite(this.at()) && !isDelimiter(this.at())) this.pos++;
    return from;
  }

  private isUnsignedInteger(from: number, to: number): boolean {
    if (to <= from) return false;
    for (let i = from; i < to; i++) if (!isDigit(this.bytes[i])) return false;
    return true;
  }

  /** Skips one object: dictionary, array, string, name, number, keyword, or an `n g R` reference. */
  value(depth = 0): void {
    if (depth > 32) this.fail('nesting too deep');
    const c = this.at();
    if (c === 0x3c && this.at(1) === 0x3c) {
      this.pos += 2;
      for (;;) {
        this.skipWhite();
        if (this.at() === 0x3e && this.at(1) === 0x3e) {
          this.pos += 2;
          return;
        }
        this.name();
        this.skipWhite();
        this.value(depth + 1);
      }
    }
    if (c === 0x3c) {
      while (this.at() !== 0x3e) {
        if (this.at() === undefined) this.fail('unterminated hex string');
        this.pos++;
      }
      this.pos++;
      return;
    }
    if (c === 0x28) {
      let nest = 0;
      for (;;) {
        const ch = this.at();
        if (ch === undefined) this.fail('unterminated string');
        this.pos++;
        if (ch === 0x5c) this.pos++;
        else if (ch === 0x28) nest++;
        else if (ch === 0x29 && --nest === 0) return;
      }
    }
    if (c === 0x5b) {
      this.pos++;
      for (;;) {
        this.skipWhite();
        if (this.at() === 0x5d) {
          this.pos++;
          return;
        }
        this.value(depth + 1);
      }
    }
    if (c === 0x2f) {
      this.name();
      return;
    }
    const from = this.pos;
    this.token();
    if (!this.isUnsignedInteger(from, this.pos)) return;
    // `12 0 R`: look ahead for a generation number and R; otherwise the integer alone.
    const afterFirst = this.pos;
    let p = this.pos;
    while (isWhite(this.bytes[p])) p++;
    const genFrom = p;
    while (isDigit(this.bytes[p])) p++;
    if (p === genFrom || !isWhite(this.bytes[p])) return;
    while (isWhite(this.bytes[p])) p++;
    if (this.bytes[p] === 0x52 && (this.bytes[p + 1] === undefined || isWhite(this.bytes[p + 1]) || isDelimiter(this.bytes[p + 1]))) {
      this.pos = p + 1;
      return;
    }
    this.pos = afterFirst;
  }
}

/** Whether bytes[from, to) spell `key`. */
const spells = (bytes: Uint8Array, from: number, to: number, key: string): boolean => {
  if (to - from !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (bytes[from + i] !== key.charCodeAt(i)) return false;
  return true;
};

/** One scanner for every scan (they never nest): a scan allocates nothing but what it returns. */
const scanner = new Scanner(new Uint8Array(0), 0);

/**
 * The top-level entries named in `keys` of the dictionary at `at` (leading whitespace
 * allowed), written into `out` as start/end pairs (out[2k], out[2k + 1] for keys[k]; -1 when
 * absent): no string and no object is made, so looking at a dictionary costs at most one
 * pass over its bytes, and stops at the last key wanted when all are there (the first
 * occurrence of a key counts); with `toEnd`, reads to the closing `>>` and refuses a wanted key
 * written twice. Returns the end of the part read.
 */
export const scanDictRanges = (
  bytes: Uint8Array,
  at: number,
  keys: readonly string[],
  out: Int32Array | number[],
  toEnd = false,
): number => {
  for (let k = 0; k < 2 * keys.length; k++) out[k] = -1;
  const s = scanner;
  s.bytes = bytes;
  s.pos = at;
  try {
    s.skipWhite();
    if (bytes[s.pos] !== 0x3c || bytes[s.pos + 1] !== 0x3c) throw new DictScanError(`no dictionary at ${at}`);
    s.pos += 2;
    let found = 0;
    for (;;) {
      s.skipWhite();
      if (bytes[s.pos] === 0x3e && bytes[s.pos + 1] === 0x3e) return s.pos + 2;
      const from = s.name();
      const to = s.pos;
      // A key written with #xx escapes could be one of ours in disguise: let the caller parse.
      for (let i = from; i < to; i++) if (bytes[i] === 0x23) throw new DictScanError('escaped key');
      s.skipWhite();
      const start = s.pos;
      s.value();
      for (let k = 0; k < keys.length; k++) {
        // Read to the end, a key written twice is refused: pdf-lib keeps the last, a scan the first.
        if (toEnd && out[2 * k] !== -1 && spells(bytes, from, to, keys[k] as string)) throw new DictScanError('duplicate key');
        if (out[2 * k] === -1 && spells(bytes, from, to, keys[k] as string)) {
          out[2 * k] = start;
          out[2 * k + 1] = s.pos;
          // The first occurrence counts, so once every key is found the rest need not be read.
          if (++found === keys.length && !toEnd) return s.pos;
        }
      }
    }
  } finally {
    s.bytes = EMPTY;
  }
};

const EMPTY = new Uint8Array(0);

/** scanDictRanges as a map from each key found to its value's byte range. */
export const scanDict = (bytes: Uint8Array, at: number, keys: readonly string[]): Map<string, ValueRange> => {
  const ranges: number[] = [];
  scanDictRanges(bytes, at, keys, ranges);
  return rangeMap(keys, ranges);
};

const rangeMap = (keys: readonly string[], ranges: readonly number[]): Map<string, ValueRange> => {
  const out = new Map<string, ValueRange>();
  keys.forEach((key, k) => {
    const start = ranges[2 * k] as number;
    if (start >= 0 && !out.has(key)) out.set(key, [start, ranges[2 * k + 1] as number]);
  });
  return out;
};

/** Where the `n g obj` header at `offset` ends, or -1 when there is none. */
const headerEnd = (bytes: Uint8Array, offset: number): number => {
  const at = skipWhite(bytes, offset);
  const numberEnd = skipDigits(bytes, at);
  const genAt = skipWhite(bytes, numberEnd);
  const genEnd = skipDigits(bytes, genAt);
  const objAt = skipWhite(bytes, genEnd);
  if (numberEnd === at || genAt === numberEnd || genEnd === genAt || objAt === genEnd || !bytesAre(bytes, objAt, 'obj')) return -1;
  return objAt + 3;
};

/** The object number of the header at `offset` (when headerEnd found one). */
const headerNumber = (bytes: Uint8Array, offset: number): number => {
  const at = skipWhite(bytes, offset);
  return integerIn(bytes, at, skipDigits(bytes, at)) ?? -1;
};

/**
 * scanDictRanges for the dictionary of the indirect object at `offset` (`n g obj <<…>>`);
 * returns the object number found there.
 */
export const scanObjectDictRanges = (bytes: Uint8Array, offset: number, keys: readonly string[], out: Int32Array | number[]): number => {
  const body = headerEnd(bytes, offset);
  if (body < 0) throw new DictScanError(`no object at ${offset}`);
  scanDictRanges(bytes, body, keys, out);
  return headerNumber(bytes, offset);
};

/** Where the body of object `objectNumber` starts (after `n g obj`) when its header is at `offset`, else -1. */
export const objectBodyAt = (bytes: Uint8Array, offset: number, objectNumber: number): number => {
  const body = headerEnd(bytes, offset);
  return body >= 0 && headerNumber(bytes, offset) === objectNumber ? body : -1;
};

/** The dictionary of the indirect object at `offset` (`n g obj <<…>>`), with the object number found there. */
export const scanObjectDict = (
  bytes: Uint8Array,
  offset: number,
  keys: readonly string[],
): { objectNumber: number; entries: Map<string, ValueRange> } => {
  const ranges: number[] = [];
  const objectNumber = scanObjectDictRanges(bytes, offset, keys, ranges);
  return { objectNumber, entries: rangeMap(keys, ranges) };
};

const skipWhite = (bytes: Uint8Array, from: number): number => {
  let pos = from;
  while (isWhite(bytes[pos])) pos++;
  return pos;
};

const skipDigits = (bytes: Uint8Array, from: number): number => {
  let pos = from;
  while (isDigit(bytes[pos])) pos++;
  return pos;
};

export const rangeText = (bytes: Uint8Array, range: ValueRange | undefined): string | undefined =>
  range && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', range[0], range[1]);

/** A direct non-negative integer value, else undefined. */
export const rangeInteger = (bytes: Uint8Array, range: ValueRange | undefined): number | undefined =>
  range && integerIn(bytes, range[0], range[1]);

/** The non-negative integer spelled by bytes[start, end), else undefined. */
export const integerIn = (bytes: Uint8Array, start: number, end: number): number | undefined => {
  if (end <= start || end - start > 15) return undefined;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + c - 0x30;
  }
  return v;
};

/** Whether `bytes` at `at` spell `word` (ASCII). */
export const bytesAre = (bytes: Uint8Array, at: number, word: string): boolean => {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) return false;
  return true;
};

/** Reads an object of a lazily loaded file without parsing it (lazy-load.ts). */
export interface Peek {
  /** Writes the ranges of `keys` into `out` (see scanDictRanges) and returns the bytes they point into, or undefined. */
  ranges(ref: PDFRef, keys: readonly string[], out: Int32Array | number[]): Uint8Array | undefined;
  /** A stream's raw contents where they lie in the file (a view, not a copy) and its dictionary's `keys`, or undefined. */
  stream(ref: PDFRef, keys: readonly string[], out: Int32Array | number[]): { bytes: Uint8Array; contents: Uint8Array } | undefined;
}

/**
 * How to read an object's entries from the file of a context loaded lazily (lazy-load.ts):
 * a property of the context itself (a WeakMap entry per loaded document made every garbage
 * collection walk the ephemeron table).
 */
const PEEK = Symbol('kyso.peek');

export const registerPeek = (context: PDFContext, peek: Peek): void => {
  (context as unknown as { [PEEK]?: Peek })[PEEK] = peek;
};

const peekOf = (context: PDFContext): Peek | undefined => (context as unknown as { [PEEK]?: Peek })[PEEK];

/**
 * An object's top-level dictionary entries named in `keys` as start/end pairs in `out`
 * (scanDictRanges), read from the file without parsing it; returns the bytes the ranges
 * point into, undefined when the document was fully parsed, the object was already parsed
 * (it may have been changed) or it is not a plain dictionary at an offset. Allocates
 * nothing: for callers that look at many objects (every field of a form).
 */
export const peekRanges = (
  context: PDFContext,
  ref: unknown,
  keys: readonly string[],
  out: Int32Array | number[],
): Uint8Array | undefined => (ref instanceof PDFRef ? peekOf(context)?.ranges(ref, keys, out) : undefined);

/**
 * A stream's raw (still encoded) contents as a view of the file, with its dictionary's
 * `keys` in `out` (ranges into `bytes`), read without parsing or copying it; undefined in the
 * cases peekRanges names and whenever pdf-lib could read the stream differently (a /Length
 * that is not a direct integer, no `endstream` right after it): the caller then looks it up.
 */
export const peekStream = (
  context: PDFContext,
  ref: unknown,
  keys: readonly string[],
  out: Int32Array | number[],
): { bytes: Uint8Array; contents: Uint8Array } | undefined => (ref instanceof PDFRef ? peekOf(context)?.stream(ref, keys, out) : undefined);

/** peekRanges as a map from each key found to its value's byte range, with the bytes. */
export const peekDict = (
  context: PDFContext,
  ref: unknown,
  keys: readonly string[],
): { bytes: Uint8Array; entries: Map<string, ValueRange> } | undefined => {
  const ranges: number[] = [];
  const bytes = peekRanges(context, ref, keys, ranges);
  return bytes && { bytes, entries: rangeMap(keys, ranges) };
};

/**
 * Where the contents of the stream whose dictionary ends at `dictEnd` lie, the way pdf-lib
 * reads them (`stream` and one end of line, /Length bytes, then `endstream` after optional
 * whitespace), or undefined when it would have to search for the end instead.
 */
export const streamContentsAt = (bytes: Uint8Array, dictEnd: number, length: number | undefined): ValueRange | undefined => {
  if (length === undefined) return undefined;
  let at = skipWhite(bytes, dictEnd);
  if (!bytesAre(bytes, at, 'stream')) return undefined;
  at += 6;
  if (bytes[at] === 0x20 && bytes[at + 1] === 0x0d && bytes[at + 2] === 0x0a) at += 3;
  else if (bytes[at] === 0x0d && bytes[at + 1] === 0x0a) at += 2;
  else if (bytes[at] === 0x0d || bytes[at] === 0x0a) at += 1;
  const end = at + length;
  if (end > bytes.length || !bytesAre(bytes, skipWhite(bytes, end), 'endstream')) return undefined;
  return [at, end];
};
