import { type PDFDocument, PDFHexString, type PDFObject, PDFObjectParser, PDFRef } from 'pdf-lib';
import { lazyObjectOffsets, loadPdfLazily } from '../pdf/lazy-load.js';
import { byteRangeNames, type ObjectHeader, scanObjectHeaders } from '../pdf/pdf-bytes.js';

export type { ObjectHeader } from '../pdf/pdf-bytes.js';

/**
 * Verification without pdf-lib's full parse (issue 16): the document is loaded lazily, as
 * signing loads it, and only the objects a verification looks at are parsed (catalog,
 * AcroForm, signature dictionaries, pages, objects changed after a signature).
 *
 * It must see exactly what the full parse sees. pdf-lib's full parse reads the body object
 * by object and the last "N G obj" of a number wins; the lazy loader follows the
 * cross-reference sections. So every object looked up here is checked: its last header must
 * be where the cross-reference puts it, with one generation number. Anything else (object
 * or cross-reference streams, /Encrypt anywhere, an object not where the xref says, a
 * header inside a stream body, a parse error) makes the fast path give up, and verification
 * runs on the full parse as before (FastPathUnavailable).
 */
export class FastPathUnavailable extends Error {
  override readonly name = 'FastPathUnavailable';
}

export interface FastDocument {
  readonly doc: PDFDocument;
  /** Headers per object number, in file order (read-revision.ts takes the same index). */
  readonly headers: Map<number, ObjectHeader[]>;
  /** Objects that may be signature dictionaries, in the order pdf-lib would enumerate them. */
  signatureCandidates(): [PDFRef, PDFObject][];
  /** The current objects with these numbers, in the order pdf-lib would enumerate them. */
  objectsNumbered(numbers: ReadonlySet<number>): [PDFRef, PDFObject][];
  /** Whether a check failed somewhere (an error may have been caught on its way up). */
  readonly failed: boolean;
}

interface Stream {
  bytes: Uint8Array;
  idx: number;
  line: number;
  column: number;
  length: number;
  assertNext(byte: number): void;
}

/**
 * pdf-lib's parseHexString appends one character at a time (a signature's /Contents is 16–64 K
 * of them); this reads the same characters in one slice and keeps line/column as next() would.
 */
function parseHexStringAtOnce(this: { bytes: Stream }): PDFHexString {
  const s = this.bytes;
  s.assertNext(0x3c);
  let end = s.bytes.indexOf(0x3e, s.idx);
  if (end < 0 || end > s.length) end = s.length;
  let lastNewline = -1;
  for (let i = s.bytes.indexOf(0x0a, s.idx); i >= 0 && i < end; i = s.bytes.indexOf(0x0a, i + 1)) {
    s.line++;
    lastNewline = i;
  }
  s.column = lastNewline >= 0 ? end - lastNewline - 1 : s.column + (end - s.idx);
  const value = Buffer.from(s.bytes.buffer, s.bytes.byteOffset + s.idx, end - s.idx).toString('latin1');
  s.idx = end;
  s.assertNext(0x3e);
  return PDFHexString.of(value);
}

const lastRef = (text: string, key: string): string | undefined => {
  const m = [...text.matchAll(new RegExp(`/${key}\\s+(\\d+)\\s+(\\d+)\\s+R`, 'g'))].pop();
  return m ? `${m[1]} ${m[2]}` : undefined;
};

/** A document for the fast path, or undefined when the file is not one it handles (the full parse then decides). */
export const loadFastDocument = (bytes: Uint8Array): FastDocument | undefined => {
  if (bytes.length === 0) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pdfHeader = buf.indexOf('%PDF-');
  if (pdfHeader < 0 || pdfHeader > 1019) return undefined;
  for (const marker of ['/ObjStm', '/XRef', '/Encrypt', '/Encr#']) if (buf.indexOf(marker) >= 0) return undefined;
  let doc: PDFDocument;
  try {
    doc = loadPdfLazily(bytes).doc;
  } catch {
    return undefined;
  }
  const offsetOf = lazyObjectOffsets(doc);
  if (!offsetOf) return undefined;
  // The trailer pdf-lib keeps is the last one's (Root and Info): the lazy loader's must be the same.
  // Only the bytes from the last trailer on are read as text (a whole-file string costs more than the hash).
  const lastTrailer = buf.lastIndexOf('trailer');
  const text = lastTrailer < 0 ? '' : buf.toString('latin1', lastTrailer);
  const root = doc.context.trailerInfo.Root;
  const info = doc.context.trailerInfo.Info;
  const refText = (o: unknown) => (o instanceof PDFRef ? `${o.objectNumber} ${o.generationNumber}` : undefined);
  if (lastTrailer < 0 || lastRef(text, 'Root') !== refText(root)) return undefined;
  if (lastRef(text, 'Info') !== refText(info)) return undefined;

  const headers = new Map<number, ObjectHeader[]>();
  const ordered = scanObjectHeaders(bytes);
  for (const h of ordered) {
    const num = h.num;
    const list = headers.get(num);
    if (list) list.push(h);
    else headers.set(num, [h]);
  }

  let failed = false;
  const giveUp = (why: string): never => {
    failed = true;
    throw new FastPathUnavailable(why);
  };
  const checked = new Set<number>();
  const check = (ref: PDFRef) => {
    const n = ref.objectNumber;
    if (checked.has(n)) return;
    const list = headers.get(n);
    const offset = offsetOf(n);
    if (!list) {
      if (offset !== undefined) giveUp(`object ${n} has no header`);
    } else {
      const last = list[list.length - 1] as ObjectHeader;
      if (list.some((h) => h.gen !== ref.generationNumber)) giveUp(`object ${n} has several generations`);
      if (typeof offset !== 'number' || offset > last.at || last.at - offset > 32 || buf.toString('latin1', offset, last.at).trim()) {
        giveUp(`object ${n} is not where the cross-reference puts it`);
      }
    }
    checked.add(n);
  };
  const objects = (doc.context as unknown as { indirectObjects: Map<PDFRef, PDFObject> }).indirectObjects;
  const get = objects.get.bind(objects);
  const parser = PDFObjectParser.forBytes(bytes, doc.context) as unknown as { bytes: Stream; parseObject(): PDFObject };
  (parser as unknown as { parseHexString: typeof parseHexStringAtOnce }).parseHexString = parseHexStringAtOnce;
  objects.get = (ref: PDFRef) => {
    check(ref);
    try {
      const last = headers.get(ref.objectNumber)?.at(-1);
      if (last && !Map.prototype.has.call(objects, ref)) {
        // Parsed where the checked header says (the place the lazy loader would parse it), strings at once.
        parser.bytes.idx = last.body;
        Map.prototype.set.call(objects, ref, parser.parseObject());
      }
      return get(ref);
    } catch (e) {
      return giveUp(`object ${ref.objectNumber}: ${(e as Error).message}`);
    }
  };

  // The catalog was read while loading, before the checks were in place.
  try {
    for (const ref of [...(Map.prototype.keys.call(objects) as IterableIterator<PDFRef>)]) check(ref);
  } catch {
    return undefined;
  }

  const firstAt = (n: number) => headers.get(n)?.[0]?.at ?? Number.POSITIVE_INFINITY;
  const lookupAll = (numbers: Iterable<number>): [PDFRef, PDFObject][] => {
    const out: [PDFRef, PDFObject][] = [];
    for (const n of [...numbers].sort((a, b) => firstAt(a) - firstAt(b))) {
      const h = headers.get(n)?.[0];
      if (!h) continue;
      const ref = PDFRef.of(n, h.gen);
      const obj = doc.context.lookup(ref);
      if (obj === undefined) giveUp(`object ${n} is missing`);
      out.push([ref, obj as PDFObject]);
    }
    return out;
  };
  /** The header an offset belongs to (the last one before it). */
  const owner = (pos: number): ObjectHeader | undefined => {
    let lo = 0;
    let hi = ordered.length - 1;
    let found: ObjectHeader | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const h = ordered[mid] as ObjectHeader;
      if (h.at < pos) {
        found = h;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };

  return {
    doc,
    headers,
    get failed() {
      return failed;
    },
    signatureCandidates() {
      const numbers = new Set<number>();
      for (const at of byteRangeNames(bytes)) {
        const h = owner(at);
        if (h) numbers.add(h.num);
      }
      return lookupAll(numbers);
    },
    objectsNumbered: (numbers) => lookupAll(numbers),
  };
};
