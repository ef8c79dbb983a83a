import { readdirSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanPdf } from '../../../shared/pdf/pdf-limits.js';
import { fixturePdf, PDF_FIXTURES } from '../../fixtures/fixtures.js';
import { buildPdf, manyStreamsBomb, objectStreamBomb, pdfWithCatalog, zlibBomb } from '../../support/hostile-pdfs.js';

describe('PDF pre-scan (limits before work)', () => {
  it('the test bomb really inflates as claimed', () => {
    expect(inflateSync(zlibBomb(3).subarray(0, -4), { finishFlush: 2 }).length).toBe(3 * 1024 * 1024);
  });

  it('refuses an object stream inflating to 3 GiB, fast and with bounded memory (the file is ~3 MB)', async () => {
    const bomb = objectStreamBomb(3 * 1024);
    expect(bomb.length).toBeLessThan(4 * 1024 * 1024);
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    await expect(scanPdf(bomb)).rejects.toMatchObject({ code: 'pdf_too_complex' });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(400 * 1024 * 1024);
  });

  it('refuses streams that are each under the per-stream cap but together over the total', async () => {
    await expect(
      scanPdf(manyStreamsBomb(8, 40), {
        maxInflatedBytes: 200 * 1024 * 1024,
        maxStreamInflatedBytes: 64 * 1024 * 1024,
        maxObjects: 1000,
        maxStreams: 1000,
      }),
    ).rejects.toMatchObject({ code: 'pdf_too_complex' });
  });

  it('measures a bomb whose data contains "endstream" (with an indirect /Length) as pdf-lib would inflate it', async () => {
    const bomb = zlibBomb(100);
    const text = Buffer.from('endstream');
    // A stored (uncompressed) deflate block carrying the bytes "endstream", then the bomb's blocks.
    const stored = Buffer.concat([Buffer.from([0x00, text.length, 0x00, ~text.length & 0xff, 0xff]), text]);
    const data = Buffer.concat([bomb.subarray(0, 2), stored, bomb.subarray(2)]);
    const pdf = buildPdf([
      '<< /Type /Catalog >>',
      Buffer.concat([
        Buffer.from('<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 9 0 R >>\nstream\n'),
        data,
        Buffer.from('\nendstream'),
      ]),
    ]);
    const limits = { maxInflatedBytes: 50 * 1024 * 1024, maxStreamInflatedBytes: 50 * 1024 * 1024, maxObjects: 1000, maxStreams: 1000 };
    await expect(scanPdf(pdf, limits)).rejects.toMatchObject({ code: 'pdf_too_complex' });
  });

  it('refuses filters whose output cannot be bounded on object streams, too many objects, and absurd xref streams', async () => {
    await expect(
      scanPdf(buildPdf(['<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 3 >>\nstream\nabc\nendstream'])),
    ).rejects.toMatchObject({ code: 'pdf_too_complex' });
    const many = buildPdf(Array.from({ length: 60 }, () => '<< >>'));
    await expect(
      scanPdf(many, { maxInflatedBytes: 1e9, maxStreamInflatedBytes: 1e9, maxObjects: 50, maxStreams: 10 }),
    ).rejects.toMatchObject({ code: 'pdf_too_complex' });
    await expect(scanPdf(buildPdf(['<< /Type /ObjStm /N 10000000 /First 4 /Length 3 >>\nstream\nabc\nendstream']))).rejects.toMatchObject({
      code: 'pdf_too_complex',
    });
    await expect(
      scanPdf(buildPdf(['<< /Type /XRef /Size 5 /Index [0 999999999] /W [0 0 0] /Length 3 >>\nstream\nabc\nendstream'])),
    ).rejects.toMatchObject({ code: 'pdf_too_complex' });
  });

  it('stays linear on many unterminated dictionaries', async () => {
    const nasty = Buffer.from(`%PDF-1.7\n${'1 0 obj\n<< /A << /B [ (x) '.repeat(50_000)}`);
    const started = performance.now();
    await scanPdf(nasty, { maxInflatedBytes: 1e9, maxStreamInflatedBytes: 1e9, maxObjects: 1e6, maxStreams: 1e6 });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['/OpenAction << /S /JavaScript /JS (app.alert(1)) >>', ['javascript', 'open-action']],
    ['/OpenAction [3 0 R /Fit]', []],
    ['/OpenAction << /S /GoTo /D [3 0 R /Fit] >>', []],
    ['/OpenAction << /S /Launch /F (x.exe) >>', ['open-action', 'launch-action']],
    ['/AA << /WC << /S /Launch /F (cmd.exe) >> >>', ['additional-actions', 'launch-action']],
    ['/Names << /EmbeddedFiles << /Names [] >> >>', ['embedded-files']],
    ['/AcroForm << /Fields [] /XFA 5 0 R >>', ['xfa']],
    ['/Names << /J#61vaScript << /Names [] >> >>', ['javascript']],
    // Long hex strings (a signature's /Contents) are left out of the text searched, but only when they are all hex digits.
    [`/Contents <${'AB'.repeat(2000)}> /OpenAction << /S /JavaScript >>`, ['javascript', 'open-action']],
    [`/Contents <${'AB'.repeat(2000)} /JavaScript>`, ['javascript']],
    [`/OpenAction <${'0'.repeat(2000)}>`, []],
    [`/X <${'cd'.repeat(2000)}> /AA << >>`, ['additional-actions']],
  ])('finds active content %s', async (extra, kinds) => {
    const scan = await scanPdf(pdfWithCatalog(extra));
    expect([...scan.activeContent].sort()).toEqual([...kinds].sort());
  });

  it('finds active content hidden in a compressed object stream', async () => {
    const objStm = Buffer.from('5 0 << /S /JavaScript /JS (x) >>');
    const { deflateSync } = await import('node:zlib');
    const z = deflateSync(objStm);
    const pdf = pdfWithCatalog('', [
      Buffer.concat([
        Buffer.from(`<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${z.length} >>\nstream\n`),
        z,
        Buffer.from('\nendstream'),
      ]),
    ]);
    expect((await scanPdf(pdf)).activeContent).toEqual(['javascript']);
  });

  it.each(readdirSync(PDF_FIXTURES).filter((f) => f.endsWith('.pdf') && f !== 'not-a-pdf.pdf'))(
    'accepts the fixture %s, with no active content',
    async (name) => {
      const scan = await scanPdf(fixturePdf(name));
      expect(scan.activeContent).toEqual([]);
      expect(scan.objects).toBeGreaterThan(0);
    },
  );
});
