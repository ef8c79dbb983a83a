import {
  PDFArray,
  type PDFContext,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFObjectParser,
  PDFPage,
  PDFPageLeaf,
  PDFRef,
} from 'pdf-lib';
import { AppError } from '../errors.js';
import { peekDict, rangeInteger, rangeText } from './dict-scan.js';

/** Where the last cross-reference section of a file is and what kind it is. */
export interface XrefTail {
  /** Offset given by the last `startxref`; the `/Prev` of the next update. */
  readonly startxref: number;
  /** `table` for a classic `xref` section, `stream` for a cross-reference stream. */
  readonly kind: 'table' | 'stream';
  /** `/Size` of the last section: every new object number must be at least this. */
  readonly size: number;
}

export interface LoadedPdf {
  readonly bytes: Uint8Array;
  readonly doc: PDFDocument;
  readonly tail: XrefTail;
}

/** A Buffer over the same memory (Buffer.from(uint8Array) would copy the whole file). */
export const bufferView = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  bufferView(bytes).toString('latin1', Math.max(0, from), Math.min(bytes.length, to));

/** Reads `startxref` and the section it points at, or explains why the file is not a PDF we accept. */
export const readXrefTail = (bytes: Uint8Array, context: PDFContext): XrefTail => {
  const end = ascii(bytes, bytes.length - 1024, bytes.length);
  if (!/%%EOF\s*$/.test(end)) {
    throw new AppError('invalid_pdf', 'The PDF is incomplete: it does not end with %%EOF (truncated upload?).');
  }
  const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(end);
  if (!match?.[1]) throw new AppError('invalid_pdf', 'The PDF has no startxref pointer at its end.');
  const startxref = Number(match[1]);
  if (startxref <= 0 || startxref >= bytes.length) {
    throw new AppError('invalid_pdf', 'The PDF startxref pointer is outside the file.');
  }
  const head = ascii(bytes, startxref, startxref + 64);
  if (head.startsWith('xref')) {
    const trailerAt = bufferView(bytes).indexOf('trailer', startxref, 'latin1');
    if (trailerAt < 0) throw new AppError('invalid_pdf', 'The PDF cross-reference table has no trailer.');
    const dict = parseDictAt(bytes, trailerAt + 'trailer'.length, context);
    return { startxref, kind: 'table', size: sizeOf(dict) };
  }
  const obj = /^(\d+)\s+(\d+)\s+obj\b/.exec(head);
  if (!obj?.[0]) throw new AppError('invalid_pdf', 'The PDF startxref pointer does not point at a cross-reference section.');
  const dict = parseDictAt(bytes, startxref + obj[0].length, context);
  if (dict.get(PDFName.of('Type')) !== PDFName.of('XRef')) {
    throw new AppError('invalid_pdf', 'The PDF startxref pointer does not point at a cross-reference stream.');
  }
  return { startxref, kind: 'stream', size: sizeOf(dict) };
};

const parseDictAt = (bytes: Uint8Array, offset: number, context: PDFContext): PDFDict => {
  // Only the dictionary is needed; parse a bounded window so a stream body is never read
  // (a small one first: a trailer is usually a few hundred bytes).
  let text = ascii(bytes, offset, offset + 4096);
  let dictEnd = findDictEnd(text);
  if (dictEnd < 0) {
    text = ascii(bytes, offset, offset + 64 * 1024);
    dictEnd = findDictEnd(text);
  }
  if (dictEnd < 0) throw new AppError('invalid_pdf', 'The PDF trailer dictionary is malformed.');
  const parsed = parseObjectText(text.slice(0, dictEnd), context);
  if (!(parsed instanceof PDFDict)) throw new AppError('invalid_pdf', 'The PDF trailer is not a dictionary.');
  return parsed;
};

const findDictEnd = (text: string): number => {
  let depth = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const two = text.slice(i, i + 2);
    if (two === '<<') {
      depth++;
      i++;
    } else if (two === '>>') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    } else if (text[i] === '(') {
      // skip literal strings, which may contain unbalanced brackets
      let nest = 0;
      for (; i < text.length; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '(') nest++;
        else if (text[i] === ')' && --nest === 0) break;
      }
    }
  }
  return -1;
};

const parseObjectText = (text: string, context: PDFContext) =>
  PDFObjectParser.forBytes(new Uint8Array(Buffer.from(text, 'latin1')), context).parseObject();

const sizeOf = (dict: PDFDict): number => {
  const size = dict.get(PDFName.of('Size'));
  if (!(size instanceof PDFNumber) || size.asNumber() < 1) {
    throw new AppError('invalid_pdf', 'The PDF trailer has no valid /Size.');
  }
  return size.asNumber();
};

/**
 * Parses an upload and checks it is a PDF we can sign: a PDF header, an intact end of
 * file, not encrypted, at least one page. Anything else is a 4xx with a stable code.
 */
export const loadPdf = async (input: Uint8Array): Promise<LoadedPdf> => {
  if (input.length === 0) throw new AppError('empty_document', 'The document is empty.');
  const bytes = input;
  if (ascii(bytes, 0, 1024).indexOf('%PDF-') < 0) {
    throw new AppError('invalid_pdf', 'The document is not a PDF (no %PDF- header).');
  }
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: true });
  } catch (e) {
    throw new AppError('invalid_pdf', `The PDF cannot be parsed: ${(e as Error).message.slice(0, 200)}`);
  }
  if (doc.isEncrypted || doc.context.trailerInfo.Encrypt) {
    throw new AppError('encrypted_pdf', 'The PDF is encrypted or password protected; upload an unprotected copy.');
  }
  const tail = readXrefTail(bytes, doc.context);
  let pages = 0;
  try {
    pages = doc.getPageCount();
  } catch {
    pages = 0;
  }
  if (pages < 1) throw new AppError('invalid_pdf', 'The PDF has no pages.');
  // pdf-lib does not register the cross-reference stream objects themselves; make sure a
  // new object can never reuse one of their numbers.
  doc.context.largestObjectNumber = Math.max(doc.context.largestObjectNumber, tail.size - 1);
  return { bytes, doc, tail };
};

/** Page size and reference for field placement (top-left coordinates are converted here). */
export interface PageBox {
  readonly ref: PDFRef;
  readonly width: number;
  readonly height: number;
  /** lower-left corner of the page's media box (usually 0,0) */
  readonly x0: number;
  readonly y0: number;
  readonly rotation: number;
}

export const pageBoxes = (doc: PDFDocument): PageBox[] =>
  doc.getPages().map((p) => {
    const box = p.getMediaBox();
    return { ref: p.ref, width: box.width, height: box.height, x0: box.x, y0: box.y, rotation: p.getRotation().angle };
  });

const boxOf = (page: PDFPage): PageBox => {
  const box = page.getMediaBox();
  return { ref: page.ref, width: box.width, height: box.height, x0: box.x, y0: box.y, rotation: page.getRotation().angle };
};

/** Pages under a page-tree kid read straight from the file (1 for a page, /Count for a node), or undefined. */
const PAGE_TREE_KEYS = ['Type', 'Count'] as const;

const peekKid = (ctx: PDFContext, ref: unknown): number | undefined => {
  const peeked = peekDict(ctx, ref, PAGE_TREE_KEYS);
  if (!peeked) return undefined;
  const type = rangeText(peeked.bytes, peeked.entries.get('Type'));
  if (type === '/Page') return 1;
  if (type === '/Pages') return rangeInteger(peeked.bytes, peeked.entries.get('Count'));
  return undefined;
};

/** A page by index, found by descending the page tree with each node's /Count: only that branch is read. */
export type PageLookup = (index: number) => PageBox | undefined;

export const pageLookup = (doc: PDFDocument): PageLookup => {
  const cache = new Map<number, PageBox | undefined>();
  const ctx = doc.context;
  const find = (wanted: number): PageBox | undefined => {
    let node: PDFDict | undefined = doc.catalog.Pages();
    let index = wanted;
    for (let depth = 0; node && depth < 64; depth++) {
      const kids = node.lookup(PDFName.of('Kids'));
      if (!(kids instanceof PDFArray)) return undefined;
      let next: PDFDict | undefined;
      for (let i = 0; i < kids.size() && !next; i++) {
        const ref = kids.get(i);
        // A kid that is not the one wanted is read without parsing it where possible.
        const peeked = index > 0 ? peekKid(ctx, ref) : undefined;
        if (peeked !== undefined) {
          if (index < peeked) {
            next = ctx.lookup(ref) as PDFDict;
          } else index -= peeked;
          continue;
        }
        const kid = ctx.lookup(ref);
        if (kid instanceof PDFPageLeaf && ref instanceof PDFRef) {
          if (index === 0) return boxOf(PDFPage.of(kid, ref, doc));
          index--;
        } else if (kid instanceof PDFDict) {
          const count = kid.lookup(PDFName.of('Count'));
          const n = count instanceof PDFNumber ? count.asNumber() : 0;
          if (index < n) next = kid;
          else index -= n;
        }
      }
      node = next;
    }
    return undefined;
  };
  return (index) => {
    if (!cache.has(index)) cache.set(index, find(index));
    return cache.get(index);
  };
};
