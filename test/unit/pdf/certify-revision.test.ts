import { describe, expect, it } from 'vitest';
import { addCertificationRevision } from '../../../shared/pdf/certify-revision.js';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { signCadesDetached } from '../../../shared/pki/cms.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { fixture, VALID_FIXTURES } from '../../support/api.js';
import { extractSignatures } from '../../support/pdf-inspect.js';
import { createTestPki } from '../../support/test-pki.js';
import { qpdfCheck, runPdfsig } from '../../support/validators.js';

/** Object numbers (re)defined in the bytes appended after `from`. */
const objectsIn = (pdf: Uint8Array, from: number): Map<number, string> => {
  const text = Buffer.from(pdf.subarray(from)).toString('latin1');
  const out = new Map<number, string>();
  for (const m of text.matchAll(/(\d+) 0 obj\s([\s\S]*?)endobj/g)) out.set(Number(m[1]), m[2] as string);
  return out;
};

describe.each(VALID_FIXTURES)('certification at send, then signers fill their fields (%s)', (name) => {
  it.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])(
    '%s: DocMDP P=2 first, every later revision only fills fields and signs',
    async (spec) => {
      const pki = await createTestPki(spec);
      const sign = async (cn: string) => {
        const cert = await pki.issueSigner(cn);
        return (digest: Uint8Array) =>
          signCadesDetached({ contentDigest: digest, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey);
      };
      const fields = [
        {
          name: 'kyso-signature-a',
          type: 'signature' as const,
          rect: { page: 1, x: 40, y: 600, width: 200, height: 60 },
          lock: ['kyso-text-1', 'kyso-checkbox-2'],
        },
        { name: 'kyso-text-1', type: 'text' as const, rect: { page: 1, x: 40, y: 560, width: 200, height: 20 } },
        { name: 'kyso-checkbox-2', type: 'checkbox' as const, rect: { page: 1, x: 260, y: 560, width: 14, height: 14 } },
        { name: 'kyso-signature-b', type: 'signature' as const, rect: { page: 1, x: 300, y: 600, width: 200, height: 60 } },
      ];
      const original = fixture(name);
      const certified = await addCertificationRevision({
        pdf: original,
        fields,
        signerName: 'Công ty Thử Nghiệm',
        signedAt: new Date(),
        sign: await sign('Công ty Thử Nghiệm (qua Kyso)'),
      });
      if (!certified) throw new Error('not certified');
      const afterCert = certified.pdf;
      const signedA = await addSignatureRevision({
        pdf: afterCert,
        fieldName: 'kyso-signature-a',
        widget: fields[0]?.rect as never,
        signerName: 'Nguyễn Văn An',
        signedAt: new Date(),
        formValues: [
          { name: 'kyso-text-1', type: 'text', rect: fields[1]?.rect as never, value: '001099012345' },
          { name: 'kyso-checkbox-2', type: 'checkbox', rect: fields[2]?.rect as never, value: 'true' },
        ],
        sign: await sign('Nguyễn Văn An'),
      });
      const signedB = await addSignatureRevision({
        pdf: signedA.pdf,
        fieldName: 'kyso-signature-b',
        widget: fields[3]?.rect as never,
        signerName: 'Trần Thị Bích Ngọc',
        signedAt: new Date(),
        sign: await sign('Trần Thị Bích Ngọc'),
      });
      const pdf = signedB.pdf;

      const result = runPdfsig(pdf, [pki.rootPem]);
      expect(
        result.signatures.map((s) => s.signerName),
        result.output,
      ).toEqual(['Công ty Thử Nghiệm (qua Kyso)', 'Nguyễn Văn An', 'Trần Thị Bích Ngọc']);
      for (const s of result.signatures) expect(s.valid && s.trusted, s.raw).toBe(true);
      expect(qpdfCheck(pdf).ok).toBe(true);

      const sigs = extractSignatures(pdf);
      expect(sigs[0]?.dict).toMatch(/\/TransformMethod \/DocMDP/);
      expect(sigs[0]?.dict).toMatch(/\/P 2/);
      expect(Buffer.from(afterCert.subarray(original.length)).toString('latin1')).toMatch(/\/Perms <<\s*\/DocMDP \d+ 0 R/);

      // Signer revisions redefine only existing field dictionaries (form filling + signing):
      // no page, no catalog, no AcroForm.
      for (const [before, after] of [
        [afterCert, signedA.pdf],
        [signedA.pdf, signedB.pdf],
      ] as const) {
        const existing = objectsIn(before, 0);
        const largest = Math.max(...existing.keys());
        for (const [num, body] of objectsIn(after, before.length)) {
          if (num > largest) continue; // new object (signature dictionary, appearance, font)
          expect(body, `object ${num} rewritten by a signer`).toMatch(/\/FT \/(Sig|Tx|Btn)/);
        }
      }
    },
  );

  it('leaves an already signed upload uncertified (a certification must be the first signature)', async () => {
    const pki = await createTestPki();
    const cert = await pki.issueSigner('Người ký trước');
    const preSigned = await addSignatureRevision({
      pdf: fixture(name),
      fieldName: 'other',
      widget: { page: 1, x: 40, y: 40, width: 100, height: 40 },
      signerName: 'Người ký trước',
      signedAt: new Date(),
      sign: (d) => signCadesDetached({ contentDigest: d, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey),
    });
    expect(
      await addCertificationRevision({
        pdf: preSigned.pdf,
        fields: [],
        signerName: 'x',
        signedAt: new Date(),
        sign: async () => new Uint8Array(),
      }),
    ).toBeUndefined();
  });
});
