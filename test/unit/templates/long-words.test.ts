import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { TextLayout } from '../../../shared/completion/layout.js';
import { renderHtml } from '../../../shared/templates/render-html.js';
import { wrapText } from '../../../shared/util/text-wrap.js';

/** 250,000 characters without a break (a pasted base64 blob, a hostile header): layout must stay linear. */
const WORD = 'Ư'.repeat(125_000) + 'x'.repeat(125_000);

describe('text layout is linear in its input', () => {
  it('wrapText breaks a 250,000-character word into full lines, measuring each character once', () => {
    let measured = 0;
    const started = performance.now();
    const lines = wrapText(`Địa chỉ IP: ${WORD} hết`, 100, (ch) => {
      measured++;
      return ch === 'Ư' ? 7 : 5;
    });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(measured).toBeLessThanOrEqual(2 * (WORD.length + 30));
    expect(lines.join('').replace(/\s/g, '')).toBe(`ĐịachỉIP:${WORD}hết`);
    expect(lines.length).toBeGreaterThan(10_000);
  });

  it('the certificate of completion’s layout wraps it in linear time', async () => {
    const doc = await PDFDocument.create();
    const layout = await TextLayout.create(doc, 'Kyso · test');
    const started = performance.now();
    const lines = layout.wrap(WORD, 9);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(lines.join('')).toBe(WORD);
  });

  it('a template paragraph with a 250,000-character word renders in time linear in its length', async () => {
    await renderHtml('<p>warm-up</p>');
    const timed = async (word: string) => {
      const started = performance.now();
      const r = await renderHtml(`<p>Số tài khoản: ${word}</p>`);
      return { ms: performance.now() - started, pages: r.pageCount };
    };
    const small = await timed(WORD.slice(0, 25_000));
    const large = await timed(WORD);
    expect(large.pages).toBeGreaterThan(small.pages * 5);
    // Ten times the text: about ten times the time (re-measuring prefixes made it a hundred).
    expect(large.ms).toBeLessThan(Math.max(25 * small.ms, 2000));
    expect(large.ms).toBeLessThan(60_000);
  }, 120_000);
});
