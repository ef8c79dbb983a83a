import { describe, expect, it } from 'vitest';
import { addCertificationRevision } from '../../../shared/pdf/certify-revision.js';
import { FIXED_FONT_NAME, fixedFontCovers } from '../../../shared/pdf/fixed-font.js';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { signCadesDetached } from '../../../shared/pki/cms.js';
import { fixture } from '../../support/api.js';
import { createTestPki } from '../../support/test-pki.js';
import { appearanceText, qpdfCheck, runPdfsig } from '../../support/validators.js';

const fontFiles = (bytes: Uint8Array): number => Buffer.from(bytes).toString('latin1').split('/FontFile2').length - 1;

describe('the fixed Vietnamese subset shared by a document’s revisions', () => {
  it('is written once (certification), reused by every signer, and extracts as the right text', async () => {
    const pki = await createTestPki('ECC_NIST_P256');
    const base = fixture('hop-dong-lao-dong.pdf');
    const names = ['Nguyễn Thị Hồng Nhung', 'Đỗ Quang Vinh', 'Trần Ánh Dương'];
    const signer = async (name: string) => {
      const cert = await pki.issueSigner(name);
      return (d: Uint8Array) => signCadesDetached({ contentDigest: d, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey);
    };
    const certified = await addCertificationRevision({
      pdf: base,
      fields: names.map((_, i) => ({
        name: `kyso-signature-${i}`,
        type: 'signature' as const,
        rect: { page: 1, x: 40 + (i % 2) * 260, y: 600 + Math.floor(i / 2) * 70, width: 220, height: 60 },
      })),
      signerName: 'Kyso',
      signedAt: new Date('2026-11-25T08:00:00Z'),
      sign: await signer('Kyso'),
    });
    if (!certified) throw new Error('not certified');
    expect(fontFiles(certified.pdf.subarray(base.length))).toBe(1);
    let pdf = certified.pdf;
    for (const [i, name] of names.entries()) {
      const r = await addSignatureRevision({
        pdf,
        fieldName: `kyso-signature-${i}`,
        widget: { page: 1, x: 40 + (i % 2) * 260, y: 600 + Math.floor(i / 2) * 70, width: 220, height: 60 },
        signerName: name,
        detail: `nguoi${i}@example.vn`,
        signedAt: new Date('2026-11-25T08:00:00Z'),
        sign: await signer(name),
      });
      const added = r.pdf.subarray(pdf.length);
      expect(fontFiles(added), 'a signer revision embeds no font').toBe(0);
      expect(Buffer.from(added).toString('latin1')).toContain('/F1 ');
      pdf = r.pdf;
    }
    const text = appearanceText(pdf);
    for (const name of names) expect(text).toContain(name);
    expect(text).toContain('Ký bởi:');
    expect(text).toContain('Ngày ký: 25/11/2026 15:00 (GMT+7)');
    expect(text).toContain('nguoi2@example.vn');
    const result = runPdfsig(pdf, [pki.rootPem]);
    expect(result.signatures.map((s) => s.valid)).toEqual([true, true, true, true]);
    expect(qpdfCheck(pdf).ok).toBe(true);
  });

  it('without a certification, the first signer writes it and the next reuses it', async () => {
    const pki = await createTestPki('ECC_NIST_P256');
    let pdf = fixture('hop-dong-lao-dong.objstm.pdf');
    const counts: number[] = [];
    for (const [i, name] of ['Lê Hoàng Phúc', 'Phạm Thị Hồng Nhung'].entries()) {
      const cert = await pki.issueSigner(name);
      const r = await addSignatureRevision({
        pdf,
        fieldName: `s${i}`,
        widget: { page: 1, x: 40 + i * 260, y: 600, width: 220, height: 60 },
        signerName: name,
        signedAt: new Date('2026-11-25T08:00:00Z'),
        sign: (d) => signCadesDetached({ contentDigest: d, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey),
      });
      counts.push(fontFiles(r.pdf.subarray(pdf.length)));
      pdf = r.pdf;
    }
    expect(counts).toEqual([1, 0]);
    expect(Buffer.from(pdf).toString('latin1')).toContain(FIXED_FONT_NAME);
    const text = appearanceText(pdf);
    expect(text).toContain('Lê Hoàng Phúc');
    expect(text).toContain('Phạm Thị Hồng Nhung');
  });

  it('text outside the subset still renders, through a per-revision subset', async () => {
    expect(fixedFontCovers(['Иван Петров'])).toBe(false);
    expect(fixedFontCovers(['Nguyễn Văn An', 'Ngày ký / Date: 25/11/2026'])).toBe(true);
    const pki = await createTestPki('ECC_NIST_P256');
    const cert = await pki.issueSigner('Иван Петров');
    const r = await addSignatureRevision({
      pdf: fixture('hop-dong-lao-dong.pdf'),
      fieldName: 's0',
      widget: { page: 1, x: 40, y: 600, width: 220, height: 60 },
      signerName: 'Иван Петров',
      signedAt: new Date('2026-11-25T08:00:00Z'),
      sign: (d) => signCadesDetached({ contentDigest: d, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey),
    });
    expect(Buffer.from(r.pdf).toString('latin1')).not.toContain(FIXED_FONT_NAME);
    expect(appearanceText(r.pdf)).toContain('Иван Петров');
  });
});
