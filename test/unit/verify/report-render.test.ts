import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderReportPdf } from '../../../shared/verify/render-report-pdf.js';
import type { VerificationReport } from '../../../shared/verify/types.js';
import { verifyPdf } from '../../../shared/verify/verify-pdf.js';
import { reportPage, verifyErrorPage, verifyPage } from '../../../web/verify/page.js';
import { qpdfCheck } from '../../support/validators.js';
import { signedDocument } from './documents.js';

const EVIL = '<img src=x onerror=alert(1)> & "Nguyễn"';

/** A real report whose file-controlled strings are replaced by markup. */
const hostileReport = async (): Promise<VerificationReport> => {
  const { pki, pdf } = await signedDocument({ signers: 1 });
  const report = await verifyPdf(pdf, { trustAnchors: [pki.root], now: new Date() });
  return {
    ...report,
    signatures: report.signatures.map((s) => ({
      ...s,
      signerName: EVIL,
      ...(s.fieldName ? { fieldName: EVIL } : {}),
      ...(s.certificate ? { certificate: { ...s.certificate, subject: `CN=${EVIL}` } } : {}),
      certificatePath: { ...s.certificatePath, chain: [EVIL] },
    })),
    kyso: { envelopeId: 'e1', title: EVIL, status: 'completed', parties: [{ name: EVIL }], currentRevision: true },
  };
};

describe('report rendering', () => {
  it('the HTML report escapes every string that came from the file', async () => {
    const html = reportPage('vi', await hostileReport());
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Nguyễn&quot;');
    expect(html).toContain('lang="vi"');
    expect(html).toContain('Hợp lệ');
    expect(verifyErrorPage('en', EVIL)).not.toContain('<img');
    expect(verifyPage('en')).toContain('Verify digital signatures');
  });

  it('the PDF report is a clean PDF, in Vietnamese and English, with the signer names', async () => {
    const report = await hostileReport();
    const pdf = await renderReportPdf(report);
    expect(qpdfCheck(pdf).ok).toBe(true);
    const text = execFileSync('pdftotext', ['-', '-'], { input: pdf }).toString('utf8');
    expect(text).toContain('Báo cáo kiểm tra chữ ký số');
    expect(text).toContain('Digital signature verification report');
    expect(text).toContain('Kết luận / Result: Hợp lệ / Valid');
    expect(text).toContain('Chữ ký phê duyệt / Approval signature');
    expect(text).toContain('Dấu thời gian tài liệu / Document timestamp');
    expect(text).toContain('"Nguyễn"');
  });
});
