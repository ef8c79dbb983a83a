import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toPem } from '../../../shared/pki/certificate.js';
import { KYSO_ONE_TIME_POLICY, PlatformPki } from '../../../shared/pki/platform-pki.js';
import { softwareSigner } from '../../support/software-signer.js';
import { inTempDir, openssl } from './openssl.js';
import { createTestHierarchy, fixedClock } from './pki-fixture.js';

const platform = async () => {
  const h = await createTestHierarchy('ECC_NIST_P256', new Date('2026-03-01T00:00:00Z'));
  const signingKey = softwareSigner();
  const pki = new PlatformPki({
    issuingCa: h.issuing,
    signingKey,
    material: { rootCertificate: h.rootCertificate, issuingCertificate: h.issuingCertificate },
    clock: fixedClock('2026-03-01T00:00:00Z'),
    publicUrl: 'https://kyso.test',
  });
  return { h, pki, signingKey };
};

describe('PlatformPki.issueOneTimeCredentials', () => {
  it('makes a fresh key per call, certified by the issuing CA with the one-time policy; openssl verifies the chain', async () => {
    const { h, pki, signingKey } = await platform();
    const a = await pki.issueOneTimeCredentials({ name: 'Nguyễn Văn An', email: 'an@example.vn' });
    const b = await pki.issueOneTimeCredentials({ name: 'Nguyễn Văn An', email: 'an@example.vn' });
    const keys = await Promise.all([a.signer.publicKey(), b.signer.publicKey(), signingKey.publicKey()]);
    expect(new Set(keys.map((k) => Buffer.from(k).toString('hex'))).size).toBe(3);

    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'root.pem'), toPem(h.rootCertificate));
      writeFileSync(join(dir, 'ca.pem'), toPem(h.issuingCertificate));
      writeFileSync(join(dir, 'a.pem'), toPem(a.certificate));
      const verify = openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', '-attime', '1772323200', 'a.pem'], dir);
      expect(verify.ok, verify.output).toBe(true);
      const text = openssl(['x509', '-in', 'a.pem', '-noout', '-text', '-nameopt', 'utf8'], dir).output;
      expect(text).toContain(`Policy: ${KYSO_ONE_TIME_POLICY}`);
      expect(text).toContain('email:an@example.vn');
      expect(text).toContain('Digital Signature, Non Repudiation');
      expect(text).not.toContain('CCCD');
    });
  });

  it('names a verified citizen ID as UID=CCCD:<number>', async () => {
    const { pki } = await platform();
    const c = await pki.issueOneTimeCredentials({
      name: 'Trần Thị Bình',
      email: 'binh@example.vn',
      verifiedIdentity: { idNumber: '001099012345', method: 'ekyc-nfc' },
    });
    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'c.pem'), toPem(c.certificate));
      const subject = openssl(['x509', '-in', 'c.pem', '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus_space'], dir).output;
      expect(subject).toContain('UID=CCCD:001099012345');
      expect(subject).toContain('identity verified');
    });
  });

  it('signs until destroyed, then refuses', async () => {
    const { pki } = await platform();
    const c = await pki.issueOneTimeCredentials({ name: 'Lê Văn Cường' });
    expect((await c.signer.sign(new Uint8Array([1, 2, 3]))).length).toBeGreaterThan(60);
    c.destroy();
    await expect(c.signer.sign(new Uint8Array([1]))).rejects.toThrow(/destroyed/);
  });
});
