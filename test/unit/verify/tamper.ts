import { PDFName, type PDFRef, PDFString } from 'pdf-lib';
import { appendToArray, IncrementalUpdate } from '../../../shared/pdf/incremental-update.js';
import { loadPdf } from '../../../shared/pdf/pdf-structure.js';
import { extractSignatures } from '../../support/pdf-inspect.js';

/** A copy with one byte flipped inside the first signature's first signed range (in a stream body, so it still parses). */
export const flipSignedByte = (pdf: Uint8Array): Uint8Array => {
  const first = extractSignatures(pdf)[0];
  if (!first) throw new Error('no signature');
  const text = Buffer.from(pdf).toString('latin1');
  const at = text.indexOf('stream') + 20;
  if (at <= 20 || at >= (first.byteRange[1] ?? 0)) throw new Error('no stream inside the first signed range');
  const copy = Uint8Array.from(pdf);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
};

/** Appends an incremental update that adds a blank page after the last one. */
export const appendPage = async (pdf: Uint8Array): Promise<Uint8Array> => {
  const loaded = await loadPdf(pdf);
  const update = new IncrementalUpdate(loaded);
  const pages = loaded.doc.catalog.get(PDFName.of('Pages')) as PDFRef;
  loaded.doc.addPage([595, 842]);
  update.markChanged(pages);
  return update.serialize();
};

/** Appends an update that draws over page 1: a new content stream added to the page's /Contents. */
export const drawOnPage = async (pdf: Uint8Array): Promise<Uint8Array> => {
  const loaded = await loadPdf(pdf);
  const update = new IncrementalUpdate(loaded);
  const page = loaded.doc.getPages()[0];
  if (!page) throw new Error('no page');
  const ctx = loaded.doc.context;
  const stream = ctx.register(ctx.flateStream('BT /F1 24 Tf 100 100 Td (PAID) Tj ET'));
  const existing = page.node.get(PDFName.of('Contents'));
  page.node.set(PDFName.of('Contents'), ctx.obj([...(existing ? [existing] : []), stream]));
  update.markChanged(page.ref);
  return update.serialize();
};

/** Appends an update that adds a sticky-note (Text) annotation to page 1. */
export const addComment = async (pdf: Uint8Array): Promise<Uint8Array> => {
  const loaded = await loadPdf(pdf);
  const update = new IncrementalUpdate(loaded);
  const page = loaded.doc.getPages()[0];
  if (!page) throw new Error('no page');
  const ctx = loaded.doc.context;
  const note = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Text', Rect: [10, 10, 30, 30], Contents: PDFString.of('changed') }));
  appendToArray(update, page.ref, page.node, 'Annots', note);
  return update.serialize();
};
