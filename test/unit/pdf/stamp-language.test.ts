import { describe, expect, it } from 'vitest';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { signCadesDetached } from '../../../shared/pki/cms.js';
import { fixture } from '../../support/api.js';
import { createTestPki } from '../../support/test-pki.js';
import { appearanceText, runPdfsig } from '../../support/validators.js';

/** The visible signature speaks the envelope's language; the text is what pdftotext reads from the flattened stamp. */
describe('signature stamp language', () => {
  it.each([
    ['vi', 'Ký bởi: Nguyễn Thị Hồng Nhung', 'Ngày ký: 25/11/2026 15:00 (GMT+7)', ['Signed by', 'Date:']],
    ['en', 'Signed by: Nguyễn Thị Hồng Nhung', 'Date: 25/11/2026 15:00 (GMT+7)', ['Ký bởi', 'Ngày ký']],
  ] as const)('%s', async (locale, who, when, absent) => {
    const pki = await createTestPki('ECC_NIST_P256');
    const cert = await pki.issueSigner('Nguyễn Thị Hồng Nhung');
    const r = await addSignatureRevision({
      pdf: fixture('hop-dong-lao-dong.pdf'),
      fieldName: 'kyso-signature-0',
      widget: { page: 1, x: 40, y: 600, width: 220, height: 60 },
      signerName: 'Nguyễn Thị Hồng Nhung',
      signedAt: new Date('2026-11-25T08:00:00Z'),
      locale,
      sign: (d) => signCadesDetached({ contentDigest: d, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey),
    });
    const text = appearanceText(r.pdf);
    expect(text).toContain(who);
    expect(text).toContain(when);
    for (const word of absent) expect(text).not.toContain(word);
    expect(runPdfsig(r.pdf, [pki.rootPem]).signatures.map((s) => s.valid)).toEqual([true]);
  });
});
