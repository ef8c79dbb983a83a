import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { issueCertificate, toPem } from '../../../shared/pki/certificate.js';
import { checkCertificatePath } from '../../../shared/pki/certificate-path.js';
import { assembleCades, buildSignedAttributes, signedAttributesForSigning } from '../../../shared/pki/cms.js';
import { createCsr, parseCsr, sealSubjectName } from '../../../shared/pki/csr.js';
import { checkSigningCertificate, partsOfCms, verifySignatureValue } from '../../../shared/pki/external-signature.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { softwareSigner } from '../../support/software-signer.js';
import { createTestPki } from '../../support/test-pki.js';
import { withTempDir } from '../../support/validators.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : (e as Error).name;
  }
  return 'ok';
};

describe.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])('certificates and signatures from outside (%s)', (spec) => {
  it('accepts a signer certificate chaining to a trusted root, and refuses untrusted, incomplete, expired and CA certificates', async () => {
    const pki = await createTestPki(spec);
    const cert = await pki.issueSigner('Nguyễn Văn An');
    const now = new Date();
    expect(checkSigningCertificate({ certificate: cert, chain: [pki.ca], trustAnchors: [pki.root], at: now })).toHaveLength(3);
    // the root may be sent along; it is not repeated
    expect(checkSigningCertificate({ certificate: cert, chain: [pki.root, pki.ca], trustAnchors: [pki.root], at: now })).toHaveLength(3);

    const other = await createTestPki(spec);
    expect(code(() => checkSigningCertificate({ certificate: cert, chain: [pki.ca], trustAnchors: [other.root], at: now }))).toBe(
      'certificate_rejected',
    );
    expect(code(() => checkSigningCertificate({ certificate: cert, chain: [], trustAnchors: [pki.root], at: now }))).toBe(
      'certificate_rejected',
    );
    expect(
      code(() =>
        checkSigningCertificate({
          certificate: cert,
          chain: [pki.ca],
          trustAnchors: [pki.root],
          at: new Date(now.getTime() + 2 * 365 * 86400_000),
        }),
      ),
    ).toBe('certificate_rejected');
    expect(code(() => checkSigningCertificate({ certificate: pki.ca, chain: [], trustAnchors: [pki.root], at: now }))).toBe(
      'certificate_rejected',
    );
    const tsaOnly = pki.tsa.certificate; // the path check alone does not judge usage
    expect(code(() => checkCertificatePath({ certificate: tsaOnly, intermediates: [pki.ca], anchors: [pki.root], at: now }))).toBe('ok');
  });

  it('verifies signature values over the signed attributes (DER and, for ECDSA, raw r||s) and refuses other data or keys', async () => {
    const pki = await createTestPki(spec);
    const cert = await pki.issueSigner('Nguyễn Văn An');
    const attrs = signedAttributesForSigning(buildSignedAttributes({ contentDigest: randomBytes(32), signerCertificate: cert, chain: [] }));
    const der = await pki.signerKey.sign(attrs);
    expect(Buffer.from(verifySignatureValue(cert, attrs, der)).equals(Buffer.from(der))).toBe(true);
    if (spec === 'ECC_NIST_P256') {
      const raw = new Uint8Array(sign('sha256', attrs, { key: pki.signerKey.privateKey, dsaEncoding: 'ieee-p1363' }));
      expect(raw).toHaveLength(64);
      // stored as DER in the CMS
      expect(verifySignatureValue(cert, attrs, raw)[0]).toBe(0x30);
    }
    const tampered = Uint8Array.from(attrs);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(code(() => verifySignatureValue(cert, tampered, der))).toBe('signature_invalid');
    const stranger = softwareSigner(spec);
    expect(code(() => verifySignatureValue(cert, attrs, new Uint8Array(sign('sha256', attrs, stranger.privateKey))))).toBe(
      'signature_invalid',
    );

    // A whole CMS from the signer's tool: its signed attributes and signature value come out unchanged.
    const signed = buildSignedAttributes({ contentDigest: createHash('sha256').update('x').digest(), signerCertificate: cert, chain: [] });
    const value = await pki.signerKey.sign(signedAttributesForSigning(signed));
    const cms = assembleCades({
      contentDigest: new Uint8Array(32),
      signerCertificate: cert,
      chain: [pki.ca],
      signedAttributes: signed,
      signatureValue: value,
      algorithm: pki.signerKey.algorithm,
    });
    const parts = partsOfCms(cms);
    expect(Buffer.from(parts.signedAttributes).equals(Buffer.from(signedAttributesForSigning(signed)))).toBe(true);
    expect(Buffer.from(parts.signatureValue).equals(Buffer.from(value))).toBe(true);
    expect(parts.certificates).toHaveLength(2);
    expect(code(() => partsOfCms(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])))).toBe('signature_invalid');
  });

  it('makes a seal CSR through the key signer that openssl verifies, with the tax code as UID "MST:..."', async () => {
    const key = softwareSigner(spec);
    const der = await createCsr(
      sealSubjectName({ companyName: 'Công ty TNHH Thử Nghiệm', taxCode: '0101234567', province: 'Hà Nội' }),
      key,
    );
    expect(Buffer.from(parseCsr(der).subjectPublicKeyInfo.toSchema().toBER(false)).equals(Buffer.from(key.publicKeyDer))).toBe(true);
    withTempDir((dir) => {
      writeFileSync(join(dir, 'req.pem'), toPem(der, 'CERTIFICATE REQUEST'));
      const out = execFileSync('openssl', ['req', '-in', join(dir, 'req.pem'), '-verify', '-noout', '-text', '-nameopt', 'utf8'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toContain('C=VN');
      expect(out).toContain('O=Công ty TNHH Thử Nghiệm');
      expect(out).toContain('UID=MST:0101234567');
      expect(out).toMatch(/Digital Signature, Non Repudiation/);
    });
    // a CA can issue for it and the path validates
    const ca = await createTestPki(spec);
    const issued = await issueCertificate({
      subject: { commonName: 'Công ty TNHH Thử Nghiệm', serialNumber: 'MST:0101234567', country: 'VN' },
      subjectPublicKey: key.publicKeyDer,
      profile: 'document-signing',
      serialNumber: randomBytes(8),
      notBefore: new Date(Date.now() - 1000),
      notAfter: new Date(Date.now() + 86400_000),
      issuerSigner: ca.caKey,
      issuerCertificate: ca.ca,
    });
    expect(checkSigningCertificate({ certificate: issued, chain: [ca.ca], trustAnchors: [ca.root], at: new Date() })).toHaveLength(3);
  });
});
