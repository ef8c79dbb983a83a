import { createHash } from 'node:crypto';
import type * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { signCadesDetached } from '../../../shared/pki/cms.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { OID } from '../../../shared/pki/oids.js';
import { fixture, VALID_FIXTURES } from '../../support/api.js';
import { attributeValue, extractSignatures, parseSignedData, signedAttributeOids } from '../../support/pdf-inspect.js';
import { createTestPki } from '../../support/test-pki.js';
import { opensslCmsVerify, qpdfCheck, runPdfsig } from '../../support/validators.js';

const NAMES = ['Nguyễn Văn An', 'Trần Thị Bích Ngọc', 'Lê Hoàng Phúc', 'Phạm Thị Hồng Nhung', 'Đỗ Quang Vinh'];

const signNTimes = async (pdf: Uint8Array, n: number, spec: KeySpec) => {
  const pki = await createTestPki(spec);
  let current = pdf;
  const certificates: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const name = NAMES[i % NAMES.length] as string;
    const certificate = await pki.issueSigner(name);
    certificates.push(certificate);
    const r = await addSignatureRevision({
      pdf: current,
      fieldName: `sig-${i}`,
      widget: { page: 1, x: 40 + (i % 2) * 260, y: 560 + Math.floor(i / 2) * 70, width: 220, height: 60 },
      signerName: name,
      signedAt: new Date('2026-11-25T08:00:00Z'),
      reason: 'Ký hợp đồng',
      sign: (digest) =>
        signCadesDetached({ contentDigest: digest, signerCertificate: certificate, chain: [pki.ca, pki.root] }, pki.signerKey),
      ...(i === 0
        ? {
            formValues: [
              {
                name: 'cccd',
                type: 'text' as const,
                rect: { page: 1, x: 40, y: 520, width: 200, height: 20 },
                value: 'Số CCCD 001099012345',
              },
            ],
          }
        : {}),
    });
    // Append-only: every earlier revision is a byte-for-byte prefix of the next.
    expect(Buffer.from(r.pdf.subarray(0, current.length)).equals(Buffer.from(current))).toBe(true);
    current = r.pdf;
  }
  return { pdf: current, pki, certificates };
};

describe.each(VALID_FIXTURES)('incremental PAdES signatures on %s', (name) => {
  describe.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])('with %s keys', (spec) => {
    it.each([1, 2, 5])('%i signature(s): valid and trusted in pdfsig, clean in qpdf', async (n) => {
      const { pdf, pki } = await signNTimes(fixture(name), n, spec);
      const result = runPdfsig(pdf, [pki.rootPem]);
      expect(result.signatures, result.output).toHaveLength(n);
      for (const s of result.signatures) {
        expect(s.valid, s.raw).toBe(true);
        expect(s.trusted, s.raw).toBe(true);
      }
      const q = qpdfCheck(pdf);
      expect(q.ok, q.output).toBe(true);
    });
  });
});

describe('signature structure (PAdES baseline B-B)', () => {
  it('has ETSI.CAdES.detached, no signing-time, an ESSCertIDv2 of the signer certificate, and a ByteRange over all but /Contents', async () => {
    const { pdf, certificates, pki } = await signNTimes(fixture('hop-dong-lao-dong.objstm.pdf'), 2, 'ECC_NIST_P256');
    const sigs = extractSignatures(pdf);
    expect(sigs).toHaveLength(2);
    for (const [i, s] of sigs.entries()) {
      expect(s.subFilter).toBe('ETSI.CAdES.detached');
      expect(s.dict).toMatch(/\/M \(D:\d{14}\+07'00'\)/);
      const [a, b, c, d] = s.byteRange as [number, number, number, number];
      expect(a).toBe(0);
      // the gap is exactly the hex string <...>
      expect(pdf[b]).toBe(0x3c);
      expect(pdf[c - 1]).toBe(0x3e);
      const revisionEnd = c + d;
      if (i === sigs.length - 1) expect(revisionEnd).toBe(pdf.length);
      const sd = parseSignedData(s.cms);
      const oids = signedAttributeOids(sd);
      expect(oids.sort()).toEqual([OID.contentType, OID.messageDigest, OID.signingCertificateV2].sort());
      expect(oids).not.toContain(OID.signingTime);
      expect(sd.signerInfos[0]?.digestAlgorithm.algorithmId).toBe(OID.sha256);
      expect(sd.encapContentInfo.eContent).toBeUndefined();
      // message-digest = SHA-256 of the two signed ranges
      const covered = Buffer.concat([pdf.subarray(a, b), pdf.subarray(c, revisionEnd)]);
      const md = attributeValue(sd, OID.messageDigest) as asn1js.OctetString;
      expect(Buffer.from(md.valueBlock.valueHexView).toString('hex')).toBe(createHash('sha256').update(covered).digest('hex'));
      // ESSCertIDv2 hash = SHA-256 of the signer certificate
      const scv2 = attributeValue(sd, OID.signingCertificateV2) as asn1js.Sequence;
      const certId = ((scv2.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence).valueBlock
        .value[0] as asn1js.OctetString;
      expect(Buffer.from(certId.valueBlock.valueHexView).toString('hex')).toBe(
        createHash('sha256')
          .update(certificates[i] as Uint8Array)
          .digest('hex'),
      );
      // openssl agrees: the CMS verifies over the signed ranges against our root
      expect(opensslCmsVerify(s.cms, covered, pki.rootPem)).toBe('');
    }
  });
});
