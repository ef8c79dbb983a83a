import { degrees, drawText, PDFDocument, type PDFFont, type PDFName, type PDFPage, type PDFRef, rgb } from 'pdf-lib';
import { loadFontkit } from '../pdf/load-fontkit.js';
import { embedFixedFace, encodeFixed, fixedFaceCovers, measureFixed } from './fixed-faces.js';
import { type FaceKey, faceBytes, type Measure, measure } from './fonts.js';
import { type FlowItem, layoutBody } from './html-layout.js';
import { parseHtml } from './html-parse.js';

/** A4 portrait, 2 cm margins: what Vietnamese contracts are printed on. */
export const A4 = { width: 595.28, height: 841.89 } as const;

export interface RenderOptions {
  readonly margin?: number;
  /** Body text size in points when the template's CSS does not set one. */
  readonly fontSize?: number;
  readonly title?: string;
  /** Creation date written into the PDF's info dictionary (fixed in tests for reproducible output). */
  readonly date?: Date;
}

/** One drawn line of text, in page coordinates (points from the top-left, page 1-based). */
export interface TextLine {
  readonly page: number;
  readonly top: number;
  readonly height: number;
  readonly pieces: readonly { readonly text: string; readonly x: number; readonly face: FaceKey; readonly size: number }[];
}

export interface TextBox {
  readonly page: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface RenderedHtml {
  readonly pdf: Uint8Array;
  readonly pageCount: number;
  readonly pageSize: { readonly width: number; readonly height: number };
  readonly lines: readonly TextLine[];
  /** How the lines were measured and drawn (locateText measures inside them the same way). */
  readonly measure: Measure;
}

/**
 * Renders template HTML to an A4 PDF with embedded DejaVu Sans subsets, so Vietnamese
 * diacritics render everywhere. No browser: Lambda has none, and contracts need only
 * headings, paragraphs, emphasis, line breaks and simple tables. Text is NFC-normalised
 * (pdf-lib draws glyphs by advance width only, so decomposed tone marks would misplace).
 * Returns where each line was drawn, which is what anchors in field layouts resolve to.
 */
export const renderHtml = async (html: string, options: RenderOptions = {}): Promise<RenderedHtml> => {
  const margin = options.margin ?? 56.69;
  const { body, css } = parseHtml(html.normalize('NFC'));
  const contentWidth = A4.width - 2 * margin;
  const fontSize = options.fontSize ?? 11;
  // The fixed faces when they hold every character drawn (a Vietnamese contract: no font work per
  // document, fixed-faces.ts); else pdf-lib's per-document subsets, laid out again with its measure.
  let items = layoutBody(body, css, contentWidth, fontSize, measureFixed);
  const fixed = items.every((item) => item.lines.every((l) => l.pieces.every((p) => fixedFaceCovers(p.face, p.text))));
  if (!fixed) {
    await loadFontkit(); // layout measures synchronously with it (fonts.ts)
    items = layoutBody(body, css, contentWidth, fontSize);
  }

  const doc = await PDFDocument.create({ updateMetadata: false });
  if (!fixed) {
    // A fresh fontkit parse per document: a parsed font shared between two documents' subsets
    // corrupts the second one's ToUnicode map (text extraction loses letters).
    doc.registerFontkit(await loadFontkit());
  }
  if (options.title) doc.setTitle(options.title);
  doc.setProducer('Kyso');
  doc.setCreationDate(options.date ?? new Date());
  doc.setModificationDate(options.date ?? new Date());
  const fonts = new Map<FaceKey, PDFFont>();
  const font = async (face: FaceKey) => {
    let f = fonts.get(face);
    if (!f) {
      f = await doc.embedFont(faceBytes(face), { subset: true });
      fonts.set(face, f);
    }
    return f;
  };
  const faces = new Map<FaceKey, PDFRef>();
  let pageFonts = new Map<FaceKey, PDFName>();
  const draw = async (text: string, face: FaceKey, x: number, y: number, size: number) => {
    if (!fixed) {
      page.drawText(text, { x, y, size, font: await font(face), color: rgb(0, 0, 0) });
      return;
    }
    let key = pageFonts.get(face);
    if (!key) {
      let ref = faces.get(face);
      if (!ref) {
        ref = embedFixedFace(doc.context, face);
        faces.set(face, ref);
      }
      key = page.node.newFontDictionary(`F${face}`, ref);
      pageFonts.set(face, key);
    }
    const zero = degrees(0);
    page.pushOperators(
      ...drawText(encodeFixed(face, text), { color: rgb(0, 0, 0), font: key, size, rotate: zero, xSkew: zero, ySkew: zero, x, y }),
    );
  };

  const lines: TextLine[] = [];
  let page: PDFPage = doc.addPage([A4.width, A4.height]);
  let pageNo = 1;
  let y = margin;
  let empty = true;
  const bottom = A4.height - margin;
  const newPage = () => {
    page = doc.addPage([A4.width, A4.height]);
    pageFonts = new Map();
    pageNo++;
    y = margin;
    empty = true;
  };
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as FlowItem;
    if (item.breakBefore && !empty) newPage();
    let top = empty ? y : y + item.marginTop;
    const next = items[i + 1];
    const needed = item.height + (item.keepWithNext && next ? next.marginTop + next.height : 0);
    if (!empty && top + needed > bottom) {
      newPage();
      top = y;
    }
    for (const line of item.lines) {
      const lineTop = top + line.top;
      for (const p of line.pieces) {
        const x = margin + line.x + p.x;
        const baseline = A4.height - (lineTop + line.baseline);
        await draw(p.text, p.face, x, baseline, p.size);
        if (p.underline) {
          page.drawLine({
            start: { x, y: baseline - p.size * 0.12 },
            end: { x: x + p.width, y: baseline - p.size * 0.12 },
            thickness: 0.5,
          });
        }
      }
      if (line.pieces.length) {
        lines.push({
          page: pageNo,
          top: lineTop,
          height: line.height,
          pieces: line.pieces.map((p) => ({ text: p.text, x: margin + line.x + p.x, face: p.face, size: p.size })),
        });
      }
    }
    for (const b of item.boxes) {
      const bx = margin + b.x;
      const by = A4.height - (top + b.y);
      if (b.height > 0) {
        page.drawRectangle({ x: bx, y: by - b.height, width: b.width, height: b.height, borderWidth: 0.5, borderColor: rgb(0, 0, 0) });
      } else page.drawLine({ start: { x: bx, y: by }, end: { x: bx + b.width, y: by }, thickness: 0.5 });
    }
    y = top + item.height;
    empty = false;
  }
  const pdf = await doc.save({ useObjectStreams: false });
  return { pdf, pageCount: pageNo, pageSize: { width: A4.width, height: A4.height }, lines, measure: fixed ? measureFixed : measure };
};

/**
 * Where `text` was drawn: its `occurrence`-th appearance (1-based) within one line, in
 * reading order. Matching is exact after NFC normalisation, so "BÊN MUA ĐIỆN" finds the
 * heading whichever Unicode form either side used.
 */
export const locateText = (
  lines: readonly TextLine[],
  text: string,
  occurrence = 1,
  /** How the lines were measured (RenderedHtml.measure). */
  measureWith: Measure = measure,
): TextBox | undefined => {
  const needle = text.normalize('NFC');
  let seen = 0;
  for (const line of lines) {
    const full = line.pieces.map((p) => p.text).join('');
    let at = full.indexOf(needle);
    while (at >= 0) {
      seen++;
      if (seen === occurrence) {
        const x0 = xAt(line, at, measureWith);
        return { page: line.page, x: x0, y: line.top, width: xAt(line, at + needle.length, measureWith) - x0, height: line.height };
      }
      at = full.indexOf(needle, at + 1);
    }
  }
  return undefined;
};

const xAt = (line: TextLine, index: number, measure: Measure): number => {
  let start = 0;
  for (const p of line.pieces) {
    if (index <= start + p.text.length) return p.x + measure(p.face, p.text.slice(0, index - start), p.size);
    start += p.text.length;
  }
  const last = line.pieces[line.pieces.length - 1];
  return last ? last.x + measure(last.face, last.text, last.size) : 0;
};
