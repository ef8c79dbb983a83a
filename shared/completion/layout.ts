import { degrees, drawText, type PDFDocument, type PDFFont, type PDFName, type PDFPage, type PDFRef, rgb } from 'pdf-lib';
import { loadUnicodeFont } from '../pdf/font.js';
import { loadFontkit } from '../pdf/load-fontkit.js';
import { embedFixedFace, encodeFixed, fixedFaceCovers, measureFixed } from '../templates/fixed-faces.js';
import { charWidths, wrapText } from '../util/text-wrap.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;

type Face = 'regular' | 'bold';
type Color = [number, number, number];

/** How text is measured and drawn: the fixed faces, or pdf-lib's per-document subsets. */
interface Fonts {
  width(face: Face, text: string, size: number): number;
  draw(page: PDFPage, face: Face, text: string, at: { x: number; y: number; size: number; color: Color }): void;
}

/**
 * The fixed Vietnamese + Latin DejaVu faces (shared/templates/fixed-faces.ts): cut once per process,
 * measured with their /W advances, drawn as 2-byte CIDs. No font is parsed, shaped or subset per
 * document (the certificate of completion took ~85 ms of CPU with pdf-lib's subsets, most of it there).
 */
const fixedFonts = (doc: PDFDocument): Fonts => {
  const refs = new Map<Face, PDFRef>();
  const keys = new Map<PDFPage, Map<Face, PDFName>>();
  const zero = degrees(0);
  return {
    width: (face, text, size) => measureFixed(face, text, size),
    draw(page, face, text, { x, y, size, color }) {
      // create() checked the input; a label in the code outside the set is a bug to see, not a blank to print.
      if (!fixedFaceCovers(face, text)) throw new Error(`the fixed ${face} face has no glyph for some character of "${text}"`);
      const onPage = keys.get(page) ?? new Map<Face, PDFName>();
      keys.set(page, onPage);
      let key = onPage.get(face);
      if (!key) {
        const ref = refs.get(face) ?? embedFixedFace(doc.context, face);
        refs.set(face, ref);
        key = page.node.newFontDictionary(`K${face}`, ref);
        onPage.set(face, key);
      }
      page.pushOperators(
        ...drawText(encodeFixed(face, text), { color: rgb(...color), font: key, size, rotate: zero, xSkew: zero, ySkew: zero, x, y }),
      );
    },
  };
};

const subsetFonts = async (doc: PDFDocument): Promise<Fonts> => {
  doc.registerFontkit(await loadFontkit());
  const fonts: Record<Face, PDFFont> = {
    regular: await doc.embedFont(loadUnicodeFont(), { subset: true }),
    bold: await doc.embedFont(loadUnicodeFont('bold'), { subset: true }),
  };
  return {
    width: (face, text, size) => fonts[face].widthOfTextAtSize(text, size),
    draw: (page, face, text, { x, y, size, color }) => page.drawText(text, { x, y, size, font: fonts[face], color: rgb(...color) }),
  };
};

/**
 * A minimal flowing-text writer on pdf-lib for generated reports: wraps lines at word (or,
 * for hashes, character) boundaries and starts new pages as needed. Unicode fonts embedded,
 * so Vietnamese diacritics render everywhere.
 */
export class TextLayout {
  private page!: PDFPage;
  private y = 0;

  private constructor(
    readonly doc: PDFDocument,
    private readonly fonts: Fonts,
    private readonly fixed: boolean,
    private readonly footer: string,
    readonly primary: 'vi' | 'en',
  ) {
    this.newPage();
  }

  /**
   * `primary`: the language that comes first in every bilingual label (the envelope's). `content`:
   * everything the report may print from its input (more is harmless): when the fixed faces hold
   * every character of it (NFC), they are used; otherwise pdf-lib's subsets, as for any script.
   */
  static async create(doc: PDFDocument, footer: string, primary: 'vi' | 'en' = 'vi', content = ''): Promise<TextLayout> {
    const text = `${footer}${content}`.normalize('NFC');
    const fixed = fixedFaceCovers('regular', text) && fixedFaceCovers('bold', text);
    return new TextLayout(doc, fixed ? fixedFonts(doc) : await subsetFonts(doc), fixed, footer, primary);
  }

  /** The text as drawn: NFC, so a decomposed Vietnamese letter is the precomposed glyph the fixed faces hold. */
  private drawn(text: string): string {
    return this.fixed ? text.normalize('NFC') : text;
  }

  /** A fixed "Tiếng Việt / English" label, the primary language first (anything else as it is). */
  label(s: string): string {
    if (this.primary === 'vi') return s;
    const parts = s.split(' / ');
    return parts.length === 2 ? `${parts[1]} / ${parts[0]}` : s;
  }

  /** Two sentences, the primary language first. */
  both(vi: string, en: string): string {
    return this.primary === 'vi' ? `${vi} / ${en}` : `${en} / ${vi}`;
  }

  get width(): number {
    return A4[0] - 2 * MARGIN;
  }

  get currentPage(): PDFPage {
    return this.page;
  }

  get cursorY(): number {
    return this.y;
  }

  private newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
    const n = this.doc.getPageCount();
    this.fonts.draw(this.page, 'regular', this.drawn(`${this.footer} — ${n}`), { x: MARGIN, y: 24, size: 7, color: [0.45, 0.45, 0.45] });
  }

  ensure(height: number): void {
    if (this.y - height < MARGIN) this.newPage();
  }

  space(h: number): void {
    this.y -= h;
  }

  /** Splits text into lines that fit `width`, breaking long tokens (hashes) anywhere; linear in the text. */
  wrap(text: string, size: number, width = this.width, face: Face = 'regular'): string[] {
    return wrapText(
      this.drawn(text),
      width,
      charWidths((ch) => this.fonts.width(face, ch, size)),
    );
  }

  text(text: string, options: { size?: number; bold?: boolean; x?: number; width?: number; color?: Color; gap?: number } = {}): void {
    const size = options.size ?? 9;
    const face: Face = options.bold ? 'bold' : 'regular';
    const x = MARGIN + (options.x ?? 0);
    for (const line of this.wrap(text, size, options.width ?? this.width - (options.x ?? 0), face)) {
      this.ensure(size * 1.35);
      this.y -= size * 1.35;
      this.fonts.draw(this.page, face, line, { x, y: this.y, size, color: options.color ?? [0.1, 0.1, 0.15] });
    }
    this.y -= options.gap ?? 0;
  }

  /** A label/value pair on one line (value wrapped under itself). */
  pair(label: string, value: string, size = 8.5): void {
    const labelWidth = 150;
    const lines = this.wrap(value, size, this.width - labelWidth);
    this.ensure(size * 1.35 * lines.length);
    this.y -= size * 1.35;
    this.fonts.draw(this.page, 'bold', this.drawn(this.label(label)), { x: MARGIN, y: this.y, size, color: [0.25, 0.25, 0.3] });
    lines.forEach((line, i) => {
      if (i > 0) this.y -= size * 1.35;
      this.fonts.draw(this.page, 'regular', line, { x: MARGIN + labelWidth, y: this.y, size, color: [0.1, 0.1, 0.15] });
    });
  }

  rule(): void {
    this.ensure(8);
    this.y -= 4;
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: MARGIN + this.width, y: this.y },
      thickness: 0.5,
      color: rgb(0.75, 0.78, 0.85),
    });
    this.y -= 4;
  }
}
