import { PDFArray, type PDFDict, PDFName, PDFNumber, type PDFObject, PDFRawStream, PDFRef } from 'pdf-lib';
import { concatBytes, latin1 } from '../util/bytes.js';
import type { LoadedPdf } from './pdf-structure.js';

/**
 * Writes one incremental update: the original bytes untouched, then only the objects this
 * revision added or changed, then a cross-reference section of the same kind as the file's
 * last one (a table after a table, a stream after a stream) with /Prev, then startxref.
 *
 * Invariant: earlier bytes are never rewritten and earlier objects never renumbered, so
 * every earlier signature's ByteRange still covers exactly what it covered.
 */
export class IncrementalUpdate {
  private readonly changed = new Set<PDFRef>();
  private readonly baseLargest: number;

  constructor(private readonly pdf: LoadedPdf) {
    this.baseLargest = pdf.doc.context.largestObjectNumber;
  }

  get context() {
    return this.pdf.doc.context;
  }

  /** The file this update is appended to: the first bytes of what `serialize` returns. */
  get original(): Uint8Array {
    return this.pdf.bytes;
  }

  /** Records that an existing indirect object was modified and must be written again. */
  markChanged(ref: PDFRef): void {
    if (ref.objectNumber <= this.baseLargest) this.changed.add(ref);
  }

  /**
   * Serialises original + update into one buffer (the original bytes are copied once, the
   * only copy of the file a revision makes). Call once, after every change is made.
   */
  serialize(): Uint8Array {
    const { context } = this;
    const fresh = context
      .enumerateIndirectObjects()
      .filter(([ref]) => ref.objectNumber > this.baseLargest)
      .map(([ref]) => ref);
    const refs = [...new Set([...this.changed, ...fresh])];
    const xrefRef = this.pdf.tail.kind === 'stream' ? context.nextRef() : undefined;
    const size = Math.max(this.pdf.tail.size, context.largestObjectNumber + 1);

    const original = this.pdf.bytes;
    const needsEol = original[original.length - 1] !== 0x0a && original[original.length - 1] !== 0x0d;
    const parts: Part[] = [];
    let offset = original.length;
    const push = (part: Part) => {
      parts.push(part);
      offset += part.size;
    };
    if (needsEol) push(bytesPart(latin1('\n')));

    const entries: { num: number; gen: number; offset: number }[] = [];
    for (const ref of refs.sort((a, b) => a.objectNumber - b.objectNumber)) {
      const object = context.lookup(ref);
      if (!object) continue;
      entries.push({ num: ref.objectNumber, gen: ref.generationNumber, offset });
      push(bytesPart(latin1(`${ref.objectNumber} ${ref.generationNumber} obj\n`)));
      push(objectPart(object));
      push(bytesPart(ENDOBJ));
    }

    const trailer = this.trailerDict(size);
    const xrefOffset = offset;
    if (xrefRef) {
      entries.push({ num: xrefRef.objectNumber, gen: 0, offset });
      push(bytesPart(this.xrefStream(xrefRef, entries, trailer)));
    } else {
      push(bytesPart(latin1(`${xrefTable(entries)}trailer\n`)));
      push(objectPart(trailer));
      push(bytesPart(latin1('\n')));
    }
    push(bytesPart(latin1(`startxref\n${xrefOffset}\n%%EOF\n`)));

    const out = new Uint8Array(Buffer.allocUnsafeSlow(offset).buffer, 0, offset);
    out.set(original, 0);
    let at = original.length;
    for (const part of parts) at += part.write(out, at);
    return out;
  }

  private trailerDict(size: number): PDFDict {
    const { context } = this;
    const info = context.trailerInfo;
    const dict = context.obj({}) as PDFDict;
    dict.set(PDFName.of('Size'), PDFNumber.of(size));
    if (info.Root) dict.set(PDFName.of('Root'), info.Root);
    if (info.Info) dict.set(PDFName.of('Info'), info.Info);
    if (info.ID) dict.set(PDFName.of('ID'), info.ID);
    dict.set(PDFName.of('Prev'), PDFNumber.of(this.pdf.tail.startxref));
    return dict;
  }

  private xrefStream(ref: PDFRef, entries: { num: number; gen: number; offset: number }[], trailer: PDFDict): Uint8Array {
    const sorted = [...entries].sort((a, b) => a.num - b.num);
    const index: number[] = [];
    const rows: number[] = [];
    for (const e of sorted) {
      const last = index.length - 2;
      if (last >= 0 && (index[last] ?? 0) + (index[last + 1] ?? 0) === e.num) index[last + 1] = (index[last + 1] ?? 0) + 1;
      else index.push(e.num, 1);
      // type 1 (in use), 4-byte offset, 2-byte generation
      rows.push(
        1,
        (e.offset >>> 24) & 0xff,
        (e.offset >>> 16) & 0xff,
        (e.offset >>> 8) & 0xff,
        e.offset & 0xff,
        (e.gen >>> 8) & 0xff,
        e.gen & 0xff,
      );
    }
    const data = Uint8Array.from(rows);
    const dict = trailer;
    dict.set(PDFName.of('Type'), PDFName.of('XRef'));
    dict.set(PDFName.of('W'), this.context.obj([1, 4, 2]));
    dict.set(PDFName.of('Index'), this.context.obj(index));
    dict.set(PDFName.of('Length'), PDFNumber.of(data.length));
    return concatBytes(
      latin1(`${ref.objectNumber} ${ref.generationNumber} obj\n`),
      objectBytes(dict),
      latin1('\nstream\n'),
      data,
      latin1('\nendstream\nendobj\n'),
    );
  }
}

const xrefTable = (entries: { num: number; gen: number; offset: number }[]): string => {
  const sorted = [...entries].sort((a, b) => a.num - b.num);
  const sections: (typeof sorted)[] = [];
  for (const e of sorted) {
    const current = sections[sections.length - 1];
    const prev = current?.[current.length - 1];
    if (current && prev && prev.num + 1 === e.num) current.push(e);
    else sections.push([e]);
  }
  let out = 'xref\n';
  for (const s of sections) {
    out += `${s[0]?.num} ${s.length}\n`;
    for (const e of s) out += `${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n\r\n`;
  }
  return out;
};

export const objectBytes = (object: PDFObject): Uint8Array => {
  const buf = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(buf, 0);
  return buf;
};

/** A piece of the appended revision: its size first (for the offsets), then written straight into the output. */
interface Part {
  readonly size: number;
  write(out: Uint8Array, at: number): number;
}

const ENDOBJ = latin1('\nendobj\n');
const STREAM = latin1('\nstream\n');
const ENDSTREAM = latin1('\nendstream');

const bytesPart = (bytes: Uint8Array): Part => ({
  size: bytes.length,
  write: (out, at) => {
    out.set(bytes, at);
    return bytes.length;
  },
});

/**
 * pdf-lib copies a stream's contents one byte at a time; a raw stream (font program, DER,
 * deflated appearance) is written with one copy instead. Everything else is pdf-lib's own
 * serialisation, written in place.
 */
const objectPart = (object: PDFObject): Part => {
  if (object instanceof PDFRawStream) {
    const dict = object.dict;
    dict.set(PDFName.of('Length'), PDFNumber.of(object.contents.length));
    const dictSize = dict.sizeInBytes();
    const { contents } = object;
    return {
      size: dictSize + STREAM.length + contents.length + ENDSTREAM.length,
      write: (out, at) => {
        let n = dict.copyBytesInto(out, at);
        out.set(STREAM, at + n);
        n += STREAM.length;
        out.set(contents, at + n);
        n += contents.length;
        out.set(ENDSTREAM, at + n);
        return n + ENDSTREAM.length;
      },
    };
  }
  const size = object.sizeInBytes();
  return { size, write: (out, at) => object.copyBytesInto(out, at) };
};

/** Adds `item` to the array stored at `key` of `dict`, marking whichever object holds the array as changed. */
export const appendToArray = (update: IncrementalUpdate, holder: PDFRef, dict: PDFDict, key: string, item: PDFObject): void => {
  const raw = dict.get(PDFName.of(key));
  if (raw instanceof PDFRef) {
    const arr = update.context.lookup(raw);
    if (arr instanceof PDFArray) {
      arr.push(item);
      update.markChanged(raw);
      return;
    }
  }
  if (raw instanceof PDFArray) {
    raw.push(item);
  } else {
    dict.set(PDFName.of(key), update.context.obj([item]));
  }
  update.markChanged(holder);
};
