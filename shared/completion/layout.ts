import { type PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { loadUnicodeFont } from '../pdf/font.js';
import { loadFontkit } from '../pdf/load-fontkit.js';
import { charWidths, wrapText } from '../util/text-wrap.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;

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
    readonly regular: PDFFont,
    readonly bold: PDFFont,
    private readonly footer: string,
    readonly primary: 'vi' | 'en',
  ) {
    this.newPage();
  }

  /** `primary`: the language that comes first in every bilingual label (the envelope's). */
  static async create(doc: PDFDocument, footer: string, primary: 'vi' | 'en' = 'vi'): Promise<TextLayout> {
    doc.registerFontkit(await loadFontkit());
    const regular = await doc.embedFont(loadUnicodeFont(), { subset: true });
    const bold = await doc.embedFont(loadUnicodeFont('bold'), { subset: true });
    return new TextLayout(doc, regular, bold, footer, primary);
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
    this.page.drawText(`${this.footer} — ${n}`, { x: MARGIN, y: 24, size: 7, font: this.regular, color: rgb(0.45, 0.45, 0.45) });
  }

  ensure(height: number): void {
    if (this.y - height < MARGIN) this.newPage();
  }

  space(h: number): void {
    this.y -= h;
  }

  /** Splits text into lines that fit `width`, breaking long tokens (hashes) anywhere; linear in the text. */
  wrap(text: string, size: number, width = this.width, font = this.regular): string[] {
    return wrapText(
      text,
      width,
      charWidths((ch) => font.widthOfTextAtSize(ch, size)),
    );
  }

  text(
    text: string,
    options: { size?: number; bold?: boolean; x?: number; width?: number; color?: [number, number, number]; gap?: number } = {},
  ): void {
    const size = options.size ?? 9;
    const font = options.bold ? this.bold : this.regular;
    const x = MARGIN + (options.x ?? 0);
    for (const line of this.wrap(text, size, options.width ?? this.width - (options.x ?? 0), font)) {
      this.ensure(size * 1.35);
      this.y -= size * 1.35;
      this.page.drawText(line, { x, y: this.y, size, font, color: rgb(...(options.color ?? [0.1, 0.1, 0.15])) });
    }
    this.y -= options.gap ?? 0;
  }

  /** A label/value pair on one line (value wrapped under itself). */
  pair(label: string, value: string, size = 8.5): void {
    const labelWidth = 150;
    const lines = this.wrap(value, size, this.width - labelWidth);
    this.ensure(size * 1.35 * lines.length);
    this.y -= size * 1.35;
    this.page.drawText(this.label(label), { x: MARGIN, y: this.y, size, font: this.bold, color: rgb(0.25, 0.25, 0.3) });
    lines.forEach((line, i) => {
      if (i > 0) this.y -= size * 1.35;
      this.page.drawText(line, { x: MARGIN + labelWidth, y: this.y, size, font: this.regular, color: rgb(0.1, 0.1, 0.15) });
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
