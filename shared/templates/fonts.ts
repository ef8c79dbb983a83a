import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadUnicodeFont } from '../pdf/font.js';
import { loadedFontkit } from '../pdf/load-fontkit.js';

/** The four DejaVu Sans faces the template renderer uses (all cover Vietnamese). */
export type FaceKey = 'regular' | 'bold' | 'italic' | 'boldItalic';

/** The oblique faces (regular and bold come from shared/pdf/font.ts); the Lambda bundle ships them too (infra/kyso-stack.ts). */
const FILES: Record<'italic' | 'boldItalic', string> = {
  italic: 'DejaVuSans-Oblique.ttf',
  boldItalic: 'DejaVuSans-BoldOblique.ttf',
};

export const faceKey = (bold: boolean, italic: boolean): FaceKey =>
  bold ? (italic ? 'boldItalic' : 'bold') : italic ? 'italic' : 'regular';

interface FontkitFont {
  readonly unitsPerEm: number;
  layout(text: string): { glyphs: { advanceWidth: number }[] };
}

const parsed = new Map<Uint8Array, FontkitFont>();
const italics = new Map<FaceKey, Uint8Array>();

/** The TTF bytes of a face, read once per process (regular and bold shared with shared/pdf/font.ts). */
export const faceBytes = (face: FaceKey): Uint8Array => {
  if (face === 'regular' || face === 'bold') return loadUnicodeFont(face);
  let b = italics.get(face);
  if (!b) {
    try {
      b = new Uint8Array(readFileSync(createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${FILES[face]}`)));
    } catch {
      // A bundle without the oblique files still renders, upright: emphasis is not worth a failed contract.
      b = loadUnicodeFont(face === 'boldItalic' ? 'bold' : 'regular');
    }
    italics.set(face, b);
  }
  return b;
};

/**
 * Parsed once per process, for measuring only: layout runs on every word of every
 * contract of a bulk job. Drawing uses its own parse per document (see render-html.ts).
 */
const measuringFont = (face: FaceKey): FontkitFont => {
  const data = faceBytes(face);
  let font = parsed.get(data);
  if (!font) {
    font = loadedFontkit().create(data) as unknown as FontkitFont;
    parsed.set(data, font);
  }
  return font;
};

/** Width of `text` in points in a face at a size. */
export type Measure = (face: FaceKey, text: string, size: number) => number;

/** Width of `text` in points, measured exactly as pdf-lib measures it when drawing. */
export const measure: Measure = (face, text, size) => {
  const font = measuringFont(face);
  let units = 0;
  for (const g of font.layout(text).glyphs) units += g.advanceWidth;
  return (units * size) / font.unitsPerEm;
};
