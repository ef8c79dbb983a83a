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

type Entry = { readonly offset: number } | { readonly stream: number; readonly index: number };

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset + from, Math.max(0, Math.min(bytes.length, to) - from)).toString('latin1');

/** The lookup table behind PDFContext: objects are parsed from the file the first time they are asked for. */
class LazyObjects extends Map<PDFRef, PDFObject> {
  private readonly objectStreams = new Map<number, { bytes: Uint8Array; offsets: number[] }>();
  context!: PDFContext;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly xref: Map<number, Entry>,
  ) {
    super();
  }

  override get(ref: PDFRef): PDFObject | undefined {
    const have = super.get(ref);
    if (have !== undefined || super.has(ref)) return have;
    const entry = this.xref.get(ref.objectNumber);
    if (!entry) return undefined;
    const object = 'offset' in entry ? this.parseAt(ref, entry.offset) : this.parseInStream(entry.stream, entry.index);
    super.set(ref, object);
    return object;
  }

  override has(ref: PDFRef): boolean {
    return super.has(ref) || this.xref.has(ref.objectNumber);
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

/** Entries of a cross-reference stream (/W field widths, /Index subsections) not already known from a newer section. */
const readXrefStream = (stream: PDFRawStream, entries: Map<number, Entry>): void => {
  const data = decodeStream(stream);
  const w = stream.dict.get(PDFName.of('W'));
  const widths = w instanceof PDFArray ? w.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : 0)) : [];
  if (widths.length !== 3) throw new LazyLoadError('cross-reference stream without /W');
  const index = stream.dict.get(PDFName.of('Index'));
  const ranges =
    index instanceof PDFArray
      ? index.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : 0))
      : [0, numberIn(stream.dict, 'Size', 0)];
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
      if (type === 1) entries.set(num, { offset: f2 });
      else if (type === 2) entries.set(num, { stream: f2, index: f3 });
      else entries.set(num, { offset: -1 });
    }
  }
};

/** Cross-reference entries of every section, newest first wins; the newest trailer. */
const readSections = (bytes: Uint8Array, context: PDFContext, startxref: number) => {
  const entries = new Map<number, Entry>();
  let trailer: PDFDict | undefined;
  const seen = new Set<number>();
  const pending = [startxref];
  const parser = PDFObjectParser.forBytes(bytes, context);
  const moveTo = (n: number) => (parser as unknown as { bytes: { moveTo(n: number): void } }).bytes.moveTo(n);
  while (pending.length) {
    const at = pending.shift() as number;
    if (seen.has(at) || seen.size > 1000 || at <= 0 || at >= bytes.length) throw new LazyLoadError(`bad cross-reference offset ${at}`);
    seen.add(at);
    let dict: PDFDict;
    if (ascii(bytes, at, at + 4) === 'xref') {
      const end = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('trailer', at, 'latin1');
      if (end < 0) throw new LazyLoadError('xref table without trailer');
      const lines = ascii(bytes, at + 4, end).split(/\r\n|\r|\n/);
      let num = 0;
      for (const line of lines) {
        const parts = line.trim().split(/\s+/);
        if (parts.length === 2) num = Number(parts[0]);
        else if (parts.length === 3) {
          if (!entries.has(num) && parts[2] === 'n') entries.set(num, { offset: Number(parts[0]) });
          if (!entries.has(num) && parts[2] === 'f') entries.set(num, { offset: -1 });
          num++;
        }
      }
      moveTo(end + 'trailer'.length);
      const parsed = parser.parseObject();
      if (!(parsed instanceof PDFDict)) throw new LazyLoadError('trailer is not a dictionary');
      dict = parsed;
      const xrefStm = dict.get(PDFName.of('XRefStm'));
      if (xrefStm instanceof PDFNumber) pending.unshift(xrefStm.asNumber());
    } else {
      const head = /^(\d+)\s+(\d+)\s+obj\b/.exec(ascii(bytes, at, at + 40));
      if (!head?.[0]) throw new LazyLoadError('startxref points at nothing');
      moveTo(at + head[0].length);
      const stream = parser.parseObject();
      if (!(stream instanceof PDFRawStream) || stream.dict.get(PDFName.of('Type')) !== PDFName.of('XRef')) {
        throw new LazyLoadError('not a cross-reference stream');
      }
      dict = stream.dict;
      readXrefStream(stream, entries);
    }
    trailer ??= dict;
    const prev = dict.get(PDFName.of('Prev'));
    if (prev instanceof PDFNumber) pending.push(prev.asNumber());
  }
  for (const [num, e] of entries) if ('offset' in e && e.offset < 0) entries.delete(num);
  if (!trailer) throw new LazyLoadError('no trailer');
  return { entries, trailer };
};

/** A document whose objects are parsed on demand (see above), or a LazyLoadError. */
export const loadPdfLazily = (bytes: Uint8Array): LoadedPdf => {
  const probe = PDFContext.create();
  const tail = readXrefTail(bytes, probe);
  const context = PDFContext.create();
  const { entries, trailer } = readSections(bytes, context, tail.startxref);
  const objects = new LazyObjects(bytes, entries);
  objects.context = context;
  (context as unknown as { indirectObjects: Map<PDFRef, PDFObject> }).indirectObjects = objects;
  const get = (k: string) => trailer.get(PDFName.of(k));
  if (get('Encrypt')) throw new AppError('encrypted_pdf', 'The PDF is encrypted or password protected; upload an unprotected copy.');
  context.trailerInfo = { Root: get('Root'), Info: get('Info'), ID: get('ID') } as typeof context.trailerInfo;
  context.largestObjectNumber = Math.max(tail.size - 1, ...entries.keys());
  if (!(context.lookup(get('Root') as PDFRef) instanceof PDFCatalog)) throw new LazyLoadError('no document catalog');
  const Doc = PDFDocument as unknown as new (c: PDFContext, ignoreEncryption: boolean, updateMetadata: boolean) => PDFDocument;
  return { bytes, doc: new Doc(context, true, false), tail };
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
