import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureFixed } from '../../../shared/templates/fixed-faces.js';
import { mergeHtml } from '../../../shared/templates/merge.js';
import { A4, locateText, renderHtml } from '../../../shared/templates/render-html.js';
import { fixtureTemplate } from '../../fixtures/fixtures.js';

const fixture = fixtureTemplate;
const dir = mkdtempSync(join(tmpdir(), 'kyso-render-'));
let n = 0;
const save = (pdf: Uint8Array) => {
  const file = join(dir, `${n++}.pdf`);
  writeFileSync(file, pdf);
  return file;
};
/** What poppler extracts: the judge of "the text is there", independent of our renderer. */
const pdftotext = (pdf: Uint8Array, page?: number) =>
  execFileSync('pdftotext', [...(page ? ['-f', String(page), '-l', String(page)] : []), '-enc', 'UTF-8', save(pdf), '-'], {
    encoding: 'utf8',
  });
const pdffonts = (pdf: Uint8Array) => execFileSync('pdffonts', [save(pdf)], { encoding: 'utf8' });
const pageCount = (pdf: Uint8Array) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [save(pdf)], { encoding: 'utf8' }))?.[1]);
const squash = (s: string) => s.replace(/\s+/g, ' ');

const LABOUR_VALUES = {
  so_hop_dong: '0042',
  ngay_ky: '25/11/2026',
  dia_diem: 'Hà Nội',
  ten_cong_ty: 'Công ty TNHH Thử Nghiệm',
  mst: '0101234567',
  dai_dien: 'Trần Thị Bích Ngọc',
  ho_ten: 'Nguyễn Văn An',
  ngay_sinh: '08/03/1995',
  cccd: '001095012345',
  dia_chi: 'Số 1 Tràng Tiền, phường Hoàn Kiếm, Hà Nội',
  tu_ngay: '01/12/2026',
  den_ngay: '30/11/2027',
  chuc_danh: 'Kỹ sư phần mềm',
  noi_lam_viec: 'Tòa nhà Kyso, Cầu Giấy',
  luong: '25.000.000',
};

describe('renderHtml', () => {
  it('renders the labour contract with its Vietnamese text, embedded DejaVu fonts, and the page break it asks for', async () => {
    const r = await renderHtml(mergeHtml(fixture('hop-dong-lao-dong.html'), LABOUR_VALUES), { date: new Date('2026-11-25T00:00:00Z') });
    expect(r.pageCount).toBe(2);
    expect(pageCount(r.pdf)).toBe(2);
    const page1 = squash(pdftotext(r.pdf, 1));
    for (const s of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập – Tự do – Hạnh phúc',
      'HỢP ĐỒNG LAO ĐỘNG',
      'Số: 0042/HĐLĐ',
      'Nguyễn Văn An',
      'Điều 3. Quyền và nghĩa vụ của người lao động',
      '25.000.000 đồng/tháng',
    ]) {
      expect(page1).toContain(s);
    }
    // <p style="page-break-before:always"> starts page 2
    const page2 = squash(pdftotext(r.pdf, 2));
    expect(page2.trim().startsWith('Điều 4. Nghĩa vụ và quyền hạn của người sử dụng lao động')).toBe(true);
    expect(page2).toContain('NGƯỜI SỬ DỤNG LAO ĐỘNG');
    expect(page1).not.toContain('{{');
    const fonts = pdffonts(r.pdf);
    // Every character is in the fixed Vietnamese + Latin set: the fixed faces, not per-document subsets.
    expect(fonts).toMatch(/KYSOVB\+DejaVuSans-Bold\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).toMatch(/KYSOVA\+DejaVuSans\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(r.measure).toBe(measureFixed);
  });

  it('falls back to per-document subsets of the whole font when a character is outside the fixed set, and measures as it draws', async () => {
    const html = '<p>Công suất <b>≥ 5 kW</b>, nhiệt độ ≤ 40 °C</p><p>BÊN MUA</p>';
    const r = await renderHtml(html);
    const fonts = pdffonts(r.pdf);
    expect(fonts).not.toContain('KYSOV');
    expect(fonts).toMatch(/DejaVuSans-Bold\S*\s+CID TrueType\s+Identity-H\s+yes/);
    expect(r.measure).not.toBe(measureFixed);
    expect(squash(pdftotext(r.pdf))).toContain('Công suất ≥ 5 kW, nhiệt độ ≤ 40 °C');
    // The same paragraph without the two symbols: fixed faces, and its anchor where the fallback puts it (same advances).
    const plain = await renderHtml('<p>Công suất <b>5 kW</b>, nhiệt độ 40 °C</p><p>BÊN MUA</p>');
    expect(plain.measure).toBe(measureFixed);
    const a = locateText(r.lines, 'BÊN MUA', 1, r.measure);
    const b = locateText(plain.lines, 'BÊN MUA', 1, plain.measure);
    expect(a && b).toBeTruthy();
    expect(b?.width).toBeCloseTo(a?.width ?? 0, 1);
  });

  it('renders the electricity contract on one A4 page and centres the table cells', async () => {
    const r = await renderHtml(
      mergeHtml(fixture('hop-dong-dien.html'), {
        ma_kh: 'PD0123456',
        so_cong_to: '19283746',
        ho_ten: 'Lê Văn Cường',
        dia_chi: '12 Lý Thường Kiệt, Huế',
        cong_suat: '5',
      }),
    );
    expect(r.pageCount).toBe(1);
    expect(r.pageSize).toEqual({ width: A4.width, height: A4.height });
    const text = squash(pdftotext(r.pdf));
    expect(text).toContain('HỢP ĐỒNG MUA BÁN ĐIỆN');
    expect(text).toContain('(Mục đích sinh hoạt)');
    expect(text).toContain('Bên mua điện: Lê Văn Cường, địa chỉ sử dụng điện: 12 Lý Thường Kiệt, Huế.');
    const buyer = locateText(r.lines, 'BÊN MUA ĐIỆN', 1, r.measure);
    const seller = locateText(r.lines, 'BÊN BÁN ĐIỆN', 1, r.measure);
    expect(buyer && seller).toBeTruthy();
    if (!buyer || !seller) return;
    // two 50% columns of the content box, each label centred in its column
    const content = A4.width - 2 * 56.69;
    expect(buyer.x + buyer.width / 2).toBeCloseTo(56.69 + content / 4, 0);
    expect(seller.x + seller.width / 2).toBeCloseTo(56.69 + (3 * content) / 4, 0);
    expect(buyer.y).toBe(seller.y);
  });

  it('escapes merge values: markup in a value is printed as text and cannot change the layout', async () => {
    const html = '<p>Khách hàng: {{ten}}</p><p>Sau</p>';
    const merged = mergeHtml(html, { ten: '<b>Công ty A & B</b> <p style="page-break-before:always">' });
    const r = await renderHtml(merged);
    expect(r.pageCount).toBe(1);
    expect(squash(pdftotext(r.pdf))).toContain('Khách hàng: <b>Công ty A & B</b> <p style="page-break-before:always">');
  });

  it('wraps long paragraphs inside the margins and breaks pages by itself', async () => {
    const para = `<p>${'Người lao động có quyền đơn phương chấm dứt hợp đồng lao động theo quy định. '.repeat(12)}</p>`;
    const r = await renderHtml(`<h2>Điều khoản</h2>${para.repeat(12)}`);
    expect(r.pageCount).toBeGreaterThanOrEqual(3);
    for (const line of r.lines) {
      const last = line.pieces[line.pieces.length - 1];
      expect(line.pieces[0]?.x ?? 0).toBeGreaterThanOrEqual(56.69 - 0.01);
      expect(line.top + line.height).toBeLessThanOrEqual(A4.height - 56.69 + 0.01);
      expect(last).toBeDefined();
    }
    expect(Math.max(...r.lines.map((l) => l.page))).toBe(r.pageCount);
    expect(squash(pdftotext(r.pdf, r.pageCount))).toContain('chấm dứt hợp đồng');
  });

  it('normalises decomposed (NFD) input to NFC, so tone marks are drawn as precomposed glyphs', async () => {
    const r = await renderHtml('<p>Nguyễn Văn An</p>'.normalize('NFD'));
    expect(squash(pdftotext(r.pdf)).trim()).toBe('Nguyễn Văn An');
    expect(locateText(r.lines, 'Nguyễn'.normalize('NFD'), 1, r.measure)).toBeDefined();
  });

  it('locates the n-th occurrence of an anchor, on the page it was drawn', async () => {
    const r = await renderHtml(fixture('hop-dong-lao-dong.html'));
    const second = locateText(r.lines, 'Điều', 5, r.measure);
    expect(second?.page).toBe(2);
    expect(locateText(r.lines, 'không có trong văn bản', 1, r.measure)).toBeUndefined();
  });
});
