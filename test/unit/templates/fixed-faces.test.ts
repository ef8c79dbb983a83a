import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { fixedSubsetOf } from '../../../shared/pdf/fixed-font.js';
import { embedFixedFace, encodeFixed, fixedFaceCovers, measureFixed } from '../../../shared/templates/fixed-faces.js';
import { faceBytes } from '../../../shared/templates/fonts.js';

describe('fixed faces of the template renderer', () => {
  it('covers Vietnamese in every face and refuses what is outside the set', () => {
    for (const face of ['regular', 'bold', 'italic', 'boldItalic'] as const) {
      expect(fixedFaceCovers(face, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM – Độc lập “Tự do” ₫ €'.normalize('NFC'))).toBe(true);
      expect(fixedFaceCovers(face, '≥')).toBe(false);
      expect(fixedFaceCovers(face, '漢')).toBe(false);
    }
  });

  it('measures with the advances written in /W, per face, and encodes one CID per code point', () => {
    const bold = fixedSubsetOf(faceBytes('bold'));
    const cids = [...'Đà'].map((ch) => bold.cidOf.get(ch.codePointAt(0) ?? 0) ?? -1);
    expect(cids.every((c) => c > 0)).toBe(true);
    const units = cids.reduce((n, c) => n + (bold.widths[c] ?? 0), 0);
    expect(measureFixed('bold', 'Đà', 10)).toBeCloseTo((units * 10) / 1000, 6);
    expect(measureFixed('bold', 'Đà', 10)).toBeGreaterThan(measureFixed('regular', 'Đà', 10));
    expect(encodeFixed('bold', 'Đà').asString()).toBe(cids.map((c) => c.toString(16).padStart(4, '0')).join(''));
  });

  it('cuts each subset once per process and writes one Type0 font per face into a document', async () => {
    expect(fixedSubsetOf(faceBytes('italic'))).toBe(fixedSubsetOf(faceBytes('italic')));
    const doc = await PDFDocument.create();
    const ref = embedFixedFace(doc.context, 'boldItalic');
    const font = doc.context.lookup(ref);
    expect(String(font)).toContain('/BaseFont /KYSOVD+DejaVuSans-BoldOblique');
    expect(String(font)).toContain('/Encoding /Identity-H');
  });
});
