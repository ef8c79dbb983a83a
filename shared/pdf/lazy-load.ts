import { inflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFCatalog,
  PDFContext,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFObjectParser,
  PDFRawStream,
  PDFRef,
} from 'pdf-lib';
import { AppError } from '../errors.js';
import {
  bytesAre,
  DictScanError,
  integerIn,
  objectBodyAt,
  rangeInteger,
  rangeText,
  registerPeek,
  scanDict,
  scanDictRanges,
  scanObjectDictRanges,
  streamContentsAt,
  type ValueRange,
} from './dict-scan.js';
import { type LoadedPdf, loadPdf, readXrefTail } from './pdf-structure.js';

/**
 * Loading for a revision: read the cross-reference sections (following /Prev and /XRefStm)
 * and parse an object only when something looks it up. A signer's revision touches the
 * catalog, the AcroForm, a few fields and one page — never an earlier signature's 32 KB
 * /Contents, never the page contents — so its cost does not grow with the file or with the
 * number of earlier signatures. pdf-lib's own load parses every byte of the file.
 *
 * Anything unexpected (an offset that does not point at its object, a broken section) is a
 * LazyLoadError, and the caller builds the revision again from a full parse (withPdf).
 */
export class LazyLoadError extends Error {
  override readonly name = 'LazyLoadError';
}

/** Where an object is: its byte offset, or its place in an object stream. */
type Entry = number | { readonly stream: number; readonly index: number };

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', from, Math.max(from, Math.min(bytes.length, to)));

/** The lookup table behind PDFContext: objects are parsed from the file the first time they are asked for. */
class LazyObjects extends Map<PDFRef, PDFObject> {
  private readonly objectStreams = new Map<number, { bytes: Uint8Array; offsets: number[] }>();
  context!: PDFContext;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly xref: XrefChain,
  ) {
    super();
  }

  override get(ref: PDFRef): PDFObject | undefined {
    const have = super.get(ref);
    if (have !== undefined || super.has(ref)) return have;
    const entry = this.xref.find(ref.objectNumber);
    if (entry === undefined) return undefined;
    const object = typeof entry === 'number' ? this.parseAt(ref, entry) : this.parseInStream(entry.stream, entry.index);
    super.set(ref, object);
    return object;
  }

  override has(ref: PDFRef): boolean {
    return super.has(ref) || this.xref.find(ref.objectNumber) !== undefined;
  }

  /**
   * The top-level entries of an object's dictionary read from the file without parsing it
   * (dict-scan.ts, ranges written into `out`), with the bytes they point into, or undefined
   * when that cannot be done cheaply (already parsed — it may have been changed —, inside an
   * object stream, not a plain dictionary).
   */
  peek(ref: PDFRef, keys: readonly string[], out: Int32Array | number[]): Uint8Array | undefined {
    if (super.has(ref)) return undefined;
    const entry = this.xref.find(ref.objectNumber);
    if (typeof entry !== 'number') return undefined;
    try {
      return scanObjectDictRanges(this.bytes, entry, keys, out) === ref.objectNumber ? this.bytes : undefined;
    } catch (e) {
      if (e instanceof DictScanError) return undefined;
      throw e;
    }
  }

  /**
   * A stream's raw contents as a view of the file and its dictionary's `keys` (dict-scan.ts
   * peekStream), or undefined when that cannot be done cheaply or exactly as pdf-lib reads it.
   */
  peekStream(ref: PDFRef, keys: readonly string[], out: Int32Array | number[]): { bytes: Uint8Array; contents: Uint8Array } | undefined {
    if (super.has(ref)) return undefined;
    const entry = this.xref.find(ref.objectNumber);
    if (typeof entry !== 'number') return undefined;
    const body = objectBodyAt(this.bytes, entry, ref.objectNumber);
    if (body < 0) return undefined;
    const withLength = streamKeys(keys);
    const ranges = peekedStreamRanges;
    try {
      const dictEnd = scanDictRanges(this.bytes, body, withLength, ranges, true);
      const range = streamContentsAt(this.bytes, dictEnd, integerIn(this.bytes, ranges[0] as number, ranges[1] as number));
      if (!range) return undefined;
      for (let k = 0; k < 2 * keys.length; k++) out[k] = ranges[k + 2] as number;
      return { bytes: this.bytes, contents: this.bytes.subarray(range[0], range[1]) };
    } catch (e) {
      if (e instanceof DictScanError) return undefined;
      throw e;
    }
  }

  /** Where the cross-reference sections put an object: a byte offset, 'stream' (in an object stream) or undefined. */
  offsetOf(objectNumber: number): number | 'stream' | undefined {
    const entry = this.xref.find(objectNumber);
    return entry === undefined ? undefined : typeof entry === 'number' ? entry : 'stream';
  }

  private parseAt(ref: PDFRef, offset: number): PDFObject {
    const head = /^\s*(\d+)\s+(\d+)\s+obj\b/.exec(ascii(this.bytes, offset, offset + 40));
    if (!head?.[0] || Number(head[1]) !== ref.objectNumber) throw new LazyLoadError(`object ${ref.objectNumber} is not at ${offset}`);
    try {
      const parser = PDFObjectParser.forBytes(this.bytes, this.context);
      (parser as unknown as { bytes: { moveTo(n: number): void } }).bytes.moveTo(offset + head[0].length);
      return parser.parseObject();
    } catch (e) {
      throw new LazyLoadError(`object ${ref.objectNumber}: ${(e as Error).message}`);
    }
  }

  private parseInStream(streamNumber: number, index: number): PDFObject {
    let stream = this.objectStreams.get(streamNumber);
    if (!stream) {
      const raw = this.get(PDFRef.of(streamNumber));
      if (!(raw instanceof PDFRawStream)) throw new LazyLoadError(`object stream ${streamNumber} is missing`);
      const bytes = decodeStream(raw);
      const n = raw.dict.get(PDFName.of('N'));
      const first = raw.dict.get(PDFName.of('First'));
      if (!(n instanceof PDFNumber) || !(first instanceof PDFNumber)) throw new LazyLoadError('object stream without /N or /First');
      const header = ascii(bytes, 0, first.asNumber()).trim().split(/\s+/).map(Number);
      const offsets = Array.from({ length: n.asNumber() }, (_, i) => first.asNumber() + (header[2 * i + 1] ?? Number.NaN));
      stream = { bytes, offsets };
      this.objectStreams.set(streamNumber, stream);
    }
    const at = stream.offsets[index];
    if (at === undefined || Number.isNaN(at)) throw new LazyLoadError(`object stream ${streamNumber} has no object ${index}`);
    const parser = PDFObjectParser.forBytes(stream.bytes, this.context);
    (parser as unknown as { bytes: { moveTo(n: number): void } }).bytes.moveTo(at);
    return parser.parseObject();
  }
}

const numberIn = (dict: PDFDict | undefined, key: string, fallback: number): number => {
  const v = dict?.get(PDFName.of(key));
  return v instanceof PDFNumber ? v.asNumber() : fallback;
};

/** FlateDecode, with the PNG predictors cross-reference streams use; anything else is left to the full parse. */
const decodeStream = (stream: PDFRawStream): Uint8Array => {
  const filter = stream.dict.get(PDFName.of('Filter'));
  if (filter === undefined) return stream.contents;
  const single = filter instanceof PDFArray && filter.size() === 1 ? filter.get(0) : filter;
  if (single !== PDFName.of('FlateDecode')) throw new LazyLoadError('stream filter is not FlateDecode');
  let data: Uint8Array;
  try {
    data = inflateSync(stream.contents);
  } catch (e) {
    throw new LazyLoadError(`stream does not inflate: ${(e as Error).message}`);
  }
  const parms = stream.dict.get(PDFName.of('DecodeParms'));
  const params = parms instanceof PDFDict ? parms : undefined;
  const predictor = numberIn(params, 'Predictor', 1);
  if (predictor < 10) {
    if (predictor !== 1) throw new LazyLoadError('TIFF predictor');
    return data;
  }
  const bpp = Math.max(1, Math.ceil((numberIn(params, 'Colors', 1) * numberIn(params, 'BitsPerComponent', 8)) / 8));
  const columns = Math.ceil((numberIn(params, 'Columns', 1) * numberIn(params, 'Colors', 1) * numberIn(params, 'BitsPerComponent', 8)) / 8);
  const rows = Math.floor(data.length / (columns + 1));
  const out = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (columns + 1)];
    const src = r * (columns + 1) + 1;
    const at = r * columns;
    for (let c = 0; c < columns; c++) {
      const x = data[src + c] ?? 0;
      const left = c >= bpp ? (out[at + c - bpp] ?? 0) : 0;
      const up = r > 0 ? (out[at - columns + c] ?? 0) : 0;
      const upLeft = r > 0 && c >= bpp ? (out[at - columns + c - bpp] ?? 0) : 0;
      let v = x;
      if (type === 1) v = x + left;
      else if (type === 2) v = x + up;
      else if (type === 3) v = x + Math.floor((left + up) / 2);
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      }
      out[at + c] = v & 0xff;
    }
  }
  return out;
};

/** One cross-reference section: where an object number is (null: free here), undefined when the section does not list it. */
interface Section {
  find(num: number): Entry | null | undefined;
  /** The largest object number the section lists. */
  readonly largest: number;
  /** The object-number ranges it lists, as flat pairs: first, count, first, count… */
  readonly ranges: readonly number[];
}

const isEol = (c: number | undefined) => c === 0x0a || c === 0x0d;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/** Where the digits starting at `from` end; a LazyLoadError when there are none. */
const digitsEnd = (bytes: Uint8Array, from: number): number => {
  let pos = from;
  while (isDigit(bytes[pos])) pos++;
  if (pos === from) throw new LazyLoadError(`cross-reference table: number expected at ${from}`);
  return pos;
};

const digitsValue = (bytes: Uint8Array, from: number, to: number): number => {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (bytes[i] as number) - 0x30;
  return v;
};

/**
 * A classic table, indexed by its subsection headers only: entries are fixed-width rows
 * (20 bytes; 19 from writers that end them with a bare newline), so a lookup reads one row
 * and a section costs the same whatever its size.
 */
class TableSection implements Section {
  /** Each subsection as four numbers: first object number, count, offset of its first row, row width. */
  private readonly subsections: number[] = [];
  readonly ranges: number[] = [];
  readonly largest: number;
  /** Offset of the `trailer` keyword. */
  readonly trailerAt: number;

  constructor(
    private readonly bytes: Uint8Array,
    at: number,
  ) {
    let pos = at + 4;
    let largest = 0;
    for (let guard = 0; ; guard++) {
      while (bytes[pos] === 0x20 || bytes[pos] === 0x09 || isEol(bytes[pos])) pos++;
      if (bytesAre(bytes, pos, 'trailer')) break;
      if (guard > 100_000 || pos >= bytes.length) throw new LazyLoadError('cross-reference table without trailer');
      const firstEnd = digitsEnd(bytes, pos);
      const first = digitsValue(bytes, pos, firstEnd);
      pos = firstEnd;
      while (bytes[pos] === 0x20 || bytes[pos] === 0x09) pos++;
      const countEnd = digitsEnd(bytes, pos);
      const count = digitsValue(bytes, pos, countEnd);
      pos = countEnd;
      while (bytes[pos] === 0x20 || bytes[pos] === 0x09) pos++;
      if (!isEol(bytes[pos])) throw new LazyLoadError('cross-reference subsection header without end of line');
      if (bytes[pos] === 0x0d && bytes[pos + 1] === 0x0a) pos += 2;
      else pos++;
      if (count === 0) continue;
      const b18 = bytes[pos + 18];
      const b19 = bytes[pos + 19];
      const stride = (b18 === 0x20 || b18 === 0x0d) && isEol(b19) ? 20 : isEol(b18) ? 19 : 0;
      if (!stride) throw new LazyLoadError('cross-reference rows are not fixed width');
      this.subsections.push(first, count, pos, stride);
      this.ranges.push(first, count);
      this.row(pos);
      pos += count * stride;
      this.row(pos - stride);
      largest = Math.max(largest, first + count - 1);
    }
    this.trailerAt = pos;
    this.largest = largest;
  }

  /** `oooooooooo ggggg n`: the offset, or null for a free entry. */
  private row(at: number): number | null {
    const b = this.bytes;
    let offset = 0;
    for (let i = 0; i < 10; i++) {
      const c = b[at + i];
      if (!isDigit(c)) throw new LazyLoadError(`cross-reference row at ${at} is malformed`);
      offset = offset * 10 + (c as number) - 0x30;
    }
    for (let i = 11; i < 16; i++) if (!isDigit(b[at + i])) throw new LazyLoadError(`cross-reference row at ${at} is malformed`);
    const kind = b[at + 17];
    if (b[at + 10] !== 0x20 || b[at + 16] !== 0x20 || (kind !== 0x6e && kind !== 0x66)) {
      throw new LazyLoadError(`cross-reference row at ${at} is malformed`);
    }
    return kind === 0x6e ? offset : null;
  }

  find(num: number): Entry | null | undefined {
    const s = this.subsections;
    for (let i = 0; i + 3 < s.length; i += 4) {
      const first = s[i] as number;
      if (num < first || num >= first + (s[i + 1] as number)) continue;
      return this.row((s[i + 2] as number) + (num - first) * (s[i + 3] as number));
    }
    return undefined;
  }
}

/** A cross-reference stream: its ranges come from /Index (or /Size); the data is decoded on the first lookup it can answer. */
class StreamSection implements Section {
  private entries: Map<number, Entry | null> | undefined;
  readonly largest: number;

  constructor(
    private readonly load: () => PDFRawStream,
    readonly ranges: readonly number[],
  ) {
    let largest = 0;
    for (let r = 0; r + 1 < ranges.length; r += 2) largest = Math.max(largest, (ranges[r] as number) + (ranges[r + 1] as number) - 1);
    this.largest = largest;
  }

  find(num: number): Entry | null | undefined {
    let listed = false;
    for (let r = 0; r + 1 < this.ranges.length && !listed; r += 2) {
      listed = num >= (this.ranges[r] as number) && num < (this.ranges[r] as number) + (this.ranges[r + 1] as number);
    }
    if (!listed) return undefined;
    this.entries ??= readXrefStream(this.load(), this.ranges);
    return this.entries.get(num);
  }
}

/** Entries of a cross-reference stream (/W field widths, over the given /Index ranges). */
const readXrefStream = (stream: PDFRawStream, ranges: readonly number[]): Map<number, Entry | null> => {
  const entries = new Map<number, Entry | null>();
  const data = decodeStream(stream);
  const w = stream.dict.get(PDFName.of('W'));
  const widths = w instanceof PDFArray ? w.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : 0)) : [];
  if (widths.length !== 3) throw new LazyLoadError('cross-reference stream without /W');
  const rowSize = widths.reduce((a, b) => a + b, 0);
  let pos = 0;
  const field = (width: number, fallback: number) => {
    if (width === 0) return fallback;
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + (data[pos++] ?? 0);
    return v;
  };
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    const first = ranges[r] as number;
    for (let i = 0; i < (ranges[r + 1] as number); i++) {
      if (pos + rowSize > data.length) throw new LazyLoadError('cross-reference stream is short');
      const type = field(widths[0] as number, 1);
      const f2 = field(widths[1] as number, 0);
      const f3 = field(widths[2] as number, 0);
      const num = first + i;
      if (entries.has(num)) continue;
      if (type === 1) entries.set(num, f2);
      else if (type === 2) entries.set(num, { stream: f2, index: f3 });
      else entries.set(num, null);
    }
  }
  return entries;
};

/** The object-number ranges of a cross-reference stream: /Index, else [0 /Size]. */
const streamRanges = (bytes: Uint8Array, keys: Map<string, ValueRange>): number[] => {
  const index = rangeText(bytes, keys.get('Index'));
  if (index === undefined) return [0, rangeInteger(bytes, keys.get('Size')) ?? 0];
  const numbers = /^\[([\d\s]*)\]$/.exec(index)?.[1];
  if (numbers === undefined) throw new LazyLoadError('/Index is not an array of numbers');
  return numbers.trim().split(/\s+/).filter(Boolean).map(Number);
};

/** A subsection listing more objects than this (an original file's table) is searched, not indexed. */
const INDEXED_RANGE = 256;
/** Object numbers above this are never indexed (the table has one entry per number). */
const MAX_INDEXED = 1 << 20;

/**
 * Every cross-reference section, newest first, found by following /Prev and /XRefStm; entries are read on demand.
 * Which section lists an object is answered by an index of the small subsections (what incremental updates write)
 * made once per load, so a lookup does not probe every earlier section: looking up each of n
 * fields written by n revisions costs n lookups, not n² probes.
 */
class XrefChain {
  private readonly memo = new Map<number, Entry | null>();
  /** Object number → 1 + the newest section whose small subsections list it (0: none); absent when not worth it. */
  private readonly newest: number[] | undefined;
  /** Sections with a large subsection (newest first), searched in order for numbers newer than the index says. */
  private searched: number[] = [];

  constructor(readonly sections: readonly Section[]) {
    let top = -1;
    sections.forEach((section, i) => {
      const { ranges } = section;
      for (let r = 0; r + 1 < ranges.length; r += 2) {
        const count = ranges[r + 1] as number;
        if (count > INDEXED_RANGE) {
          if (this.searched[this.searched.length - 1] !== i) this.searched.push(i);
        } else top = Math.max(top, (ranges[r] as number) + count - 1);
      }
    });
    if (top < 0 || top > MAX_INDEXED) {
      // Nothing small to index, or numbers too large for a table: every section is searched.
      this.searched = sections.map((_, i) => i);
      return;
    }
    const newest: number[] = new Array(top + 1).fill(0);
    sections.forEach((section, i) => {
      const { ranges } = section;
      for (let r = 0; r + 1 < ranges.length; r += 2) {
        const first = ranges[r] as number;
        const count = ranges[r + 1] as number;
        if (count > INDEXED_RANGE || first < 0) continue;
        for (let n = first; n < first + count; n++) if (newest[n] === 0) newest[n] = i + 1;
      }
    });
    this.newest = newest;
  }

  get largest(): number {
    return this.sections.reduce((n, s) => Math.max(n, s.largest), 0);
  }

  /** Where object `num` is: the newest section that lists it decides (a free entry means deleted). */
  find(num: number): Entry | undefined {
    let entry = this.memo.get(num);
    if (entry === undefined && !this.memo.has(num)) {
      entry = null;
      const indexed = ((this.newest && num >= 0 && num < this.newest.length ? this.newest[num] : 0) || this.sections.length + 1) - 1;
      let decided = false;
      for (const i of this.searched) {
        if (i >= indexed) break;
        const found = this.sections[i]?.find(num);
        if (found !== undefined) {
          entry = found;
          decided = true;
          break;
        }
      }
      if (!decided && indexed < this.sections.length) entry = this.sections[indexed]?.find(num) ?? null;
      this.memo.set(num, entry);
    }
    return entry ?? undefined;
  }
}

/** /Length first, then the keys a caller of peekStream asked for (cached per key list). */
const streamKeyLists = new WeakMap<readonly string[], readonly string[]>();
const streamKeys = (keys: readonly string[]): readonly string[] => {
  let list = streamKeyLists.get(keys);
  if (!list) {
    list = ['Length', ...keys];
    streamKeyLists.set(keys, list);
  }
  return list;
};
const peekedStreamRanges: number[] = [];

const TRAILER_KEYS = ['Prev', 'XRefStm'] as const;
const trailerRanges = new Int32Array(2 * TRAILER_KEYS.length);
const XREF_STREAM_KEYS = ['Prev', 'Type', 'Index', 'Size'] as const;

const parseObjectAt = (bytes: Uint8Array, context: PDFContext, at: number): PDFObject => {
  const parser = PDFObjectParser.forBytes(bytes, context);
  (parser as unknown as { bytes: { moveTo(n: number): void } }).bytes.moveTo(at);
  return parser.parseObject();
};

const scanTrailer = <T>(scan: () => T): T => {
  try {
    return scan();
  } catch (e) {
    throw e instanceof DictScanError ? new LazyLoadError(e.message) : e;
  }
};

/** The offset in bytes[start, end) (a trailer's /Prev or /XRefStm), undefined when absent (start < 0). */
const offsetIn = (bytes: Uint8Array, start: number, end: number, key: string): number | undefined => {
  if (start < 0) return undefined;
  const offset = integerIn(bytes, start, end);
  if (offset === undefined) throw new LazyLoadError(`/${key} is not an offset`);
  return offset;
};

/**
 * Walks the sections from `startxref`: for each, only its subsection headers (tables) or
 * its dictionary (streams) and the trailer's /Prev and /XRefStm are read, with the
 * dictionary scanner (dict-scan.ts); the newest trailer is parsed in full.
 */
const readSections = (bytes: Uint8Array, context: PDFContext, startxref: number) => {
  const sections: Section[] = [];
  let trailer: PDFDict | undefined;
  const seen = new Set<number>();
  const pending = [startxref];
  while (pending.length) {
    const at = pending.shift() as number;
    if (seen.has(at) || seen.size > 1000 || at <= 0 || at >= bytes.length) throw new LazyLoadError(`bad cross-reference offset ${at}`);
    seen.add(at);
    let prev: number | undefined;
    if (bytesAre(bytes, at, 'xref')) {
      const table = new TableSection(bytes, at);
      sections.push(table);
      const dictAt = table.trailerAt + 'trailer'.length;
      // One trailer per revision: read with the scanner into a reused array, nothing allocated.
      const r = trailerRanges;
      scanTrailer(() => scanDictRanges(bytes, dictAt, TRAILER_KEYS, r));
      prev = offsetIn(bytes, r[0] as number, r[1] as number, 'Prev');
      const xrefStm = offsetIn(bytes, r[2] as number, r[3] as number, 'XRefStm');
      if (!trailer) {
        const parsed = parseObjectAt(bytes, context, dictAt);
        if (!(parsed instanceof PDFDict)) throw new LazyLoadError('trailer is not a dictionary');
        trailer = parsed;
      }
      if (xrefStm !== undefined) pending.unshift(xrefStm);
    } else {
      const head = /^(\d+)\s+(\d+)\s+obj\b/.exec(ascii(bytes, at, at + 40));
      if (!head?.[0]) throw new LazyLoadError('startxref points at nothing');
      const dictAt = at + head[0].length;
      const keys = scanTrailer(() => scanDict(bytes, dictAt, XREF_STREAM_KEYS));
      const prevRange = keys.get('Prev');
      prev = prevRange && offsetIn(bytes, prevRange[0], prevRange[1], 'Prev');
      if (rangeText(bytes, keys.get('Type')) !== '/XRef') throw new LazyLoadError('not a cross-reference stream');
      let stream: PDFRawStream | undefined;
      const load = () => {
        const parsed = stream ?? parseObjectAt(bytes, context, dictAt);
        if (!(parsed instanceof PDFRawStream)) throw new LazyLoadError('not a cross-reference stream');
        stream = parsed;
        return parsed;
      };
      sections.push(new StreamSection(load, streamRanges(bytes, keys)));
      if (!trailer) trailer = load().dict;
    }
    if (prev !== undefined) pending.push(prev);
  }
  if (!trailer) throw new LazyLoadError('no trailer');
  return { chain: new XrefChain(sections), trailer };
};

/** A document whose objects are parsed on demand (see above), or a LazyLoadError. */
export const loadPdfLazily = (bytes: Uint8Array): LoadedPdf => {
  const context = PDFContext.create();
  const tail = readXrefTail(bytes, context);
  const { chain, trailer } = readSections(bytes, context, tail.startxref);
  const objects = new LazyObjects(bytes, chain);
  objects.context = context;
  (context as unknown as { indirectObjects: Map<PDFRef, PDFObject> }).indirectObjects = objects;
  registerPeek(context, {
    ranges: (ref, keys, out) => objects.peek(ref, keys, out),
    stream: (ref, keys, out) => objects.peekStream(ref, keys, out),
  });
  const get = (k: string) => trailer.get(PDFName.of(k));
  if (get('Encrypt')) throw new AppError('encrypted_pdf', 'The PDF is encrypted or password protected; upload an unprotected copy.');
  context.trailerInfo = { Root: get('Root'), Info: get('Info'), ID: get('ID') } as typeof context.trailerInfo;
  context.largestObjectNumber = Math.max(tail.size - 1, chain.largest);
  if (!(context.lookup(get('Root') as PDFRef) instanceof PDFCatalog)) throw new LazyLoadError('no document catalog');
  const Doc = PDFDocument as unknown as new (c: PDFContext, ignoreEncryption: boolean, updateMetadata: boolean) => PDFDocument;
  return { bytes, doc: new Doc(context, true, false), tail };
};

/**
 * For a document from loadPdfLazily: where its cross-reference sections put each object
 * (verification cross-checks it against the object headers); undefined for other documents.
 */
export const lazyObjectOffsets = (doc: PDFDocument): ((objectNumber: number) => number | 'stream' | undefined) | undefined => {
  const objects = (doc.context as unknown as { indirectObjects: unknown }).indirectObjects;
  return objects instanceof LazyObjects ? (n) => objects.offsetOf(n) : undefined;
};

/**
 * Builds something from a document loaded lazily, and again from a full parse if that
 * failed with anything but a deliberate AppError (a LazyLoadError, or pdf-lib meeting an
 * object the lazy reader got wrong): a file pdf-lib can read is never refused because of
 * the fast path. A builder's only side effect is the `sign` call at the very end.
 */
export const withPdf = async <T>(bytes: Uint8Array, build: (loaded: LoadedPdf) => Promise<T>): Promise<T> => {
  let lazy: LoadedPdf | undefined;
  try {
    lazy = loadPdfLazily(bytes);
  } catch (e) {
    if (e instanceof AppError) throw e;
  }
  if (lazy) {
    try {
      return await build(lazy);
    } catch (e) {
      if (e instanceof AppError) throw e;
    }
  }
  return build(await loadPdf(bytes));
};
