import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { addLtvRevision, certificatesOfCms, certificatesOfParsed, embeddedCertificates } from '../../../shared/pdf/ltv-revision.js';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { signCadesDetached, type Timestamper } from '../../../shared/pki/cms.js';
import { createCrl } from '../../../shared/pki/crl.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { OID } from '../../../shared/pki/oids.js';
import { createTimestampToken } from '../../../shared/pki/timestamp.js';
import { fixture, VALID_FIXTURES } from '../../support/api.js';
import { extractSignatures, parseSignedData } from '../../support/pdf-inspect.js';
import { createTestPki } from '../../support/test-pki.js';
import { qpdfCheck, runPdfsig, withTempDir } from '../../support/validators.js';
import { openssl } from '../pki/openssl.js';

const clock = { now: () => new Date() };

/** Signs `n` times with B-T timestamps, then adds DSS + document timestamp (B-LTA). */
const signToLta = async (name: string, n: number, spec: KeySpec) => {
  const pki = await createTestPki(spec);
  const timestamper: Timestamper = (digest) => createTimestampToken({ digest, tsa: pki.tsa, clock });
  let pdf = fixture(name);
  for (let i = 0; i < n; i++) {
    const cert = await pki.issueSigner(`Người ký ${i + 1}`);
    pdf = (
      await addSignatureRevision({
        pdf,
        fieldName: `sig-${i}`,
        widget: { page: 1, x: 40 + (i % 2) * 260, y: 560 + Math.floor(i / 2) * 70, width: 220, height: 60 },
        signerName: `Người ký ${i + 1}`,
        signedAt: new Date(),
        sign: (digest) =>
          signCadesDetached({ contentDigest: digest, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey, timestamper),
      })
    ).pdf;
  }
  const crls = [
    await createCrl({ caCertificate: pki.root, caSigner: pki.rootKey, thisUpdate: new Date(), crlNumber: 1n }),
    await createCrl({ caCertificate: pki.ca, caSigner: pki.caKey, thisUpdate: new Date(), crlNumber: 1n }),
  ];
  const certificates = await embeddedCertificates(pdf);
  const lta = await addLtvRevision({ pdf, certificates, crls, timestamper });
  return { pki, before: pdf, pdf: lta, certificates, crls };
};

describe.each(VALID_FIXTURES)('PAdES B-LTA on %s', (name) => {
  it.each<[number, KeySpec]>([
    [1, 'ECC_NIST_P256'],
    [2, 'RSA_2048'],
    [5, 'ECC_NIST_P256'],
  ])(
    '%i signer(s) with %s: approval signatures valid and trusted, every timestamp verified by openssl, DSS and document timestamp present',
    async (n, spec) => {
      const { pki, before, pdf, certificates } = await signToLta(name, n, spec);
      expect(Buffer.from(pdf.subarray(0, before.length)).equals(Buffer.from(before))).toBe(true);

      const sig = runPdfsig(pdf, [pki.rootPem]);
      const approvals = sig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
      expect(approvals, sig.output).toHaveLength(n);
      for (const s of approvals) {
        expect(s.valid, s.raw).toBe(true);
        expect(s.trusted, s.raw).toBe(true);
      }
      const q = qpdfCheck(pdf);
      expect(q.ok, q.output).toBe(true);

      const sigs = extractSignatures(pdf);
      expect(sigs).toHaveLength(n + 1);
      const docTs = sigs[n];
      expect(docTs?.subFilter).toBe('ETSI.RFC3161');
      expect(docTs?.dict).toContain('/Type /DocTimeStamp');
      if (!docTs) throw new Error('no document timestamp');
      const [a, b, c, d] = docTs.byteRange as [number, number, number, number];
      expect(c + d).toBe(pdf.length); // the document timestamp covers the whole file
      const text = Buffer.from(pdf).toString('latin1');
      expect(text.slice(before.length)).toMatch(/\/DSS \d+ 0 R/);
      // the signer certificates, the CA chain and the TSA certificate are all in the DSS
      expect(certificates.length).toBe(n + 3);

      withTempDir((dir) => {
        writeFileSync(join(dir, 'root.pem'), pki.rootPem);
        writeFileSync(join(dir, 'ca.pem'), pki.caPem);
        // document timestamp: over the ByteRange bytes
        writeFileSync(join(dir, 'doc.tst'), docTs?.cms as Uint8Array);
        writeFileSync(join(dir, 'covered'), Buffer.concat([pdf.subarray(a, b), pdf.subarray(c, c + d)]));
        const docCheck = openssl(
          ['ts', '-verify', '-token_in', '-in', 'doc.tst', '-data', 'covered', '-CAfile', 'root.pem', '-untrusted', 'ca.pem'],
          dir,
        );
        expect(docCheck.output).toContain('Verification: OK');
        // signature timestamps: over SHA-256 of each SignerInfo.signature
        for (const [i, s] of sigs.slice(0, n).entries()) {
          const sd = parseSignedData(s.cms);
          const si = sd.signerInfos[0] as pkijs.SignerInfo;
          const attr = si.unsignedAttrs?.attributes.find((x) => x.type === OID.signatureTimeStamp);
          expect(attr, 'signature-time-stamp attribute').toBeDefined();
          writeFileSync(
            join(dir, `sig${i}.tst`),
            new Uint8Array((attr?.values[0] as asn1js.BaseBlock | undefined)?.toBER(false) ?? new ArrayBuffer(0)),
          );
          const digest = createHash('sha256').update(si.signature.valueBlock.valueHexView).digest('hex');
          const check = openssl(
            ['ts', '-verify', '-token_in', '-in', `sig${i}.tst`, '-digest', digest, '-CAfile', 'root.pem', '-untrusted', 'ca.pem'],
            dir,
          );
          expect(check.output, `signature ${i}`).toContain('Verification: OK');
        }
      });
    },
  );
});

describe('certificates read out of a signature for the DSS', () => {
  it('the DER walk finds what pkijs finds (signer chain and timestamp chain), and BER from another producer goes through pkijs', async () => {
    const pki = await createTestPki('ECC_NIST_P256');
    const timestamper: Timestamper = (digest) => createTimestampToken({ digest, tsa: pki.tsa, clock });
    const cert = await pki.issueSigner('Nguyễn Văn An');
    const cms = await signCadesDetached(
      { contentDigest: createHash('sha256').update('x').digest(), signerCertificate: cert, chain: [pki.ca, pki.root] },
      pki.signerKey,
      timestamper,
    );
    const hex = (list: Uint8Array[]) => list.map((c) => Buffer.from(c).toString('hex'));
    const walked = certificatesOfCms(cms);
    expect(hex(walked)).toEqual(hex(certificatesOfParsed(cms)));
    // The signer's chain, then the TSA's (from the signature timestamp).
    expect(hex(walked)).toEqual(hex([cert, pki.ca, pki.root, pki.tsa.certificate, ...pki.tsa.chain]));
    // The same CMS with an indefinite-length outer SEQUENCE (BER): read through pkijs, same answer.
    const inner = cms.subarray(cms[1] === 0x82 ? 4 : cms[1] === 0x81 ? 3 : 2);
    const ber = Uint8Array.from([0x30, 0x80, ...inner, 0x00, 0x00]);
    expect(hex(certificatesOfCms(ber))).toEqual(hex(walked));
  });
});
