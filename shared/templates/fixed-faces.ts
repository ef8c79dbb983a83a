import { type PDFContext, PDFHexString, type PDFRef } from 'pdf-lib';
import { FIXED_FONT_NAME, type FixedSubset, fixedSubsetOf, writeFixedSubset } from '../pdf/fixed-font.js';
import { type FaceKey, faceBytes, type Measure } from './fonts.js';

/**
 * The template renderer's fonts when every character is in the fixed Vietnamese + Latin set
 * (shared/pdf/fixed-font.ts): one subset per face, cut once per process, so rendering a
 * contract parses no font, shapes no text and builds no subset — a bulk send renders the same
 * template 10,000 times. Text is measured and drawn with the same table (one code point → one
 * glyph, its advance as written in /W), so what the layout measured is what a viewer draws.
 * A document with any other character falls back to pdf-lib's per-document subsets (render-html.ts).
 */

/** Subset tags: the regular face is byte for byte the signing engine's fixed font, so it carries its name. */
const NAMES: Record<FaceKey, string> = {
  regular: FIXED_FONT_NAME,
  bold: 'KYSOVB+DejaVuSans-Bold',
  italic: 'KYSOVC+DejaVuSans-Oblique',
  boldItalic: 'KYSOVD+DejaVuSans-BoldOblique',
};

const subsetOf = (face: FaceKey): FixedSubset => fixedSubsetOf(faceBytes(face));

/** True when the face has a glyph for every character of `text` (NFC already). */
export const fixedFaceCovers = (face: FaceKey, text: string): boolean => {
  const { cidOf } = subsetOf(face);
  for (const ch of text) if (!cidOf.has(ch.codePointAt(0) ?? 0)) return false;
  return true;
};

const cidsOf = (face: FaceKey, text: string): number[] => {
  const { cidOf } = subsetOf(face);
  return Array.from(text, (ch) => cidOf.get(ch.codePointAt(0) ?? 0) ?? 0);
};

/** Width in points as a viewer draws it: the sum of the glyphs' /W advances. */
export const measureFixed: Measure = (face, text, size) => {
  const { widths } = subsetOf(face);
  let units = 0;
  for (const cid of cidsOf(face, text)) units += widths[cid] ?? 0;
  return (units * size) / 1000;
};

/** The text as a show-string of 2-byte CIDs (Identity-H). */
export const encodeFixed = (face: FaceKey, text: string): PDFHexString =>
  PDFHexString.of(
    cidsOf(face, text)
      .map((c) => c.toString(16).padStart(4, '0'))
      .join(''),
  );

/** Writes a face's subset into a document (once per face and document) and returns its font dictionary. */
export const embedFixedFace = (ctx: PDFContext, face: FaceKey): PDFRef => writeFixedSubset(ctx, subsetOf(face), NAMES[face]);
