import { describe, expect, it } from 'vitest';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { contentsSizeFor, signCadesDetached } from '../../../shared/pki/cms.js';
import { createTimestampToken } from '../../../shared/pki/timestamp.js';
import { fixture } from '../../support/api.js';
import { createTestPki } from '../../support/test-pki.js';
import { qpdfCheck, runPdfsig } from '../../support/validators.js';

describe('/Contents sized from the CMS that will be produced', () => {
  it('B-T revisions after the first add at most 16 KB, and a reservation too small is redone with what was needed', async () => {
    const pki = await createTestPki('ECC_NIST_P256');
    const timestamper = (d: Uint8Array) => createTimestampToken({ digest: d, tsa: pki.tsa, clock: { now: () => new Date() } });
    let pdf = fixture('hop-dong-lao-dong.pdf');
    const added: number[] = [];
    let signCalls = 0;
    for (const [i, name] of ['Nguyễn Văn An', 'Trần Thị Bích Ngọc', 'Đỗ Quang Vinh'].entries()) {
      const cert = await pki.issueSigner(name);
      const certs = { signerCertificate: cert, chain: [pki.ca, pki.root] };
      const r = await addSignatureRevision({
        pdf,
        fieldName: `s${i}`,
        widget: { page: 1, x: 40 + (i % 2) * 260, y: 600, width: 220, height: 60 },
        signerName: name,
        signedAt: new Date('2026-11-25T08:00:00Z'),
        // The first one deliberately reserves too little.
        contentsSize: i === 0 ? 200 : contentsSizeFor(certs, true),
        sign: (d) => {
          signCalls++;
          return signCadesDetached({ contentDigest: d, ...certs }, pki.signerKey, timestamper);
        },
      });
      expect(Buffer.from(r.pdf.subarray(0, pdf.length)).equals(Buffer.from(pdf))).toBe(true);
      added.push(r.pdf.length - pdf.length);
      pdf = r.pdf;
    }
    expect(signCalls).toBe(4);
    // The first revision also writes the shared font (about 14 KB) once.
    for (const size of added.slice(1)) expect(size).toBeLessThanOrEqual(16 * 1024);
    expect(runPdfsig(pdf, [pki.rootPem]).signatures.map((s) => s.valid)).toEqual([true, true, true]);
    expect(qpdfCheck(pdf).ok).toBe(true);
  });
});
