import { PDFArray, type PDFDict, PDFName, PDFNumber, type PDFObject, PDFRef } from 'pdf-lib';
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

  /** Records that an existing indirect object was modified and must be written again. */
  markChanged(ref: PDFRef): void {
    if (ref.objectNumber <= this.baseLargest) this.changed.add(ref);
  }

  /** Serialises original + update. Call once, after every change is made. */
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
    const chunks: Uint8Array[] = [original];
    let offset = original.length;
    const push = (b: Uint8Array) => {
      chunks.push(b);
      offset += b.length;
    };
    if (needsEol) push(latin1('\n'));

    const entries: { num: number; gen: number; offset: number }[] = [];
    for (const ref of refs.sort((a, b) => a.objectNumber - b.objectNumber)) {
      const object = context.lookup(ref);
      if (!object) continue;
      entries.push({ num: ref.objectNumber, gen: ref.generationNumber, offset });
      push(serializeIndirect(ref, object));
    }

    const trailer = this.trailerDict(size);
    const xrefOffset = offset;
    if (xrefRef) {
      entries.push({ num: xrefRef.objectNumber, gen: 0, offset });
      push(this.xrefStream(xrefRef, entries, trailer));
    } else {
      push(latin1(xrefTable(entries)));
      push(latin1('trailer\n'));
      push(objectBytes(trailer));
      push(latin1('\n'));
    }
    push(latin1(`startxref\n${xrefOffset}\n%%EOF\n`));
    return concatBytes(...chunks);
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

const serializeIndirect = (ref: PDFRef, object: PDFObject): Uint8Array =>
  concatBytes(latin1(`${ref.objectNumber} ${ref.generationNumber} obj\n`), objectBytes(object), latin1('\nendobj\n'));

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
