import { constants, deflateRawSync } from 'node:zlib';

/**
 * Hostile PDFs built in memory (small on disk): decompression bombs, active content,
 * malformed page dictionaries. Each is a complete PDF with a classic xref table.
 */

/** A zlib stream inflating to `megabytes` MiB of zeros, ~1 KB per MiB: one non-final block repeated. */
export const zlibBomb = (megabytes: number): Buffer => {
  const block = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH, level: 9 });
  const parts = [Buffer.from([0x78, 0xda])];
  for (let i = 0; i < megabytes; i++) parts.push(block);
  parts.push(Buffer.from([0x03, 0x00]), Buffer.from([0, 0, 0, 0])); // final empty block, (wrong) Adler-32
  return Buffer.concat(parts);
};

/** Assembles a PDF from object bodies (object i+1 = bodies[i]); bodies may be Buffers (streams). */
export const buildPdf = (bodies: readonly (string | Buffer)[], trailerExtra = ''): Buffer => {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]?.length ?? 0;
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    offsets.push(offset);
    const obj = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(obj);
    offset += obj.length;
  });
  const xref = [
    `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`,
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`),
  ].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(parts);
};

const stream = (dict: string, data: Buffer) =>
  Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, Buffer.from('\nendstream')]);

const page = (extra = '/MediaBox [0 0 595 842]') => `<< /Type /Page /Parent 2 0 R ${extra} /Contents 4 0 R >>`;
const content = stream('', Buffer.from('BT /F1 12 Tf 72 720 Td (Hop dong) Tj ET'));

/** A one-page PDF plus an object stream whose content inflates to `megabytes` MiB (pdf-lib inflates it at load). */
export const objectStreamBomb = (megabytes: number): Buffer =>
  buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    page(),
    content,
    stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', zlibBomb(megabytes)),
  ]);

/** Many small bombs: each under the per-stream cap, together far over the total. */
export const manyStreamsBomb = (streams: number, megabytesEach: number): Buffer => {
  const bomb = zlibBomb(megabytesEach);
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    page(),
    content,
    ...Array.from({ length: streams }, () => stream('/Filter /FlateDecode', bomb)),
  ]);
};

/** A plain one-page PDF with `catalogExtra` in its catalog (e.g. an /OpenAction). */
export const pdfWithCatalog = (catalogExtra: string, more: readonly (string | Buffer)[] = []): Buffer =>
  buildPdf([`<< /Type /Catalog /Pages 2 0 R ${catalogExtra} >>`, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page(), content, ...more]);

/** A one-page PDF whose page dictionary is `pageDict` (e.g. without /MediaBox, or /Rotate /Ninety). */
export const pdfWithPage = (pageExtra: string): Buffer =>
  buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page(pageExtra), content]);
