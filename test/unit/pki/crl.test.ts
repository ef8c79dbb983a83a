import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyIdentifier, toPem } from '../../../shared/pki/certificate.js';
import { createCrl } from '../../../shared/pki/crl.js';
import { assertDer } from '../../../shared/pki/der.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { PlatformPki } from '../../../shared/pki/platform-pki.js';
import { fromHex } from '../../../shared/util/bytes.js';
import { softwareSigner } from '../../support/software-signer.js';
import { inTempDir, openssl } from './openssl.js';
import { createTestHierarchy, type TestHierarchy } from './pki-fixture.js';

const colonHex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase().match(/../g)?.join(':');

describe.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])('CRLs signed with %s keys, checked by openssl crl', (spec) => {
  let h: TestHierarchy;
  beforeAll(async () => {
    h = await createTestHierarchy(spec);
  });

  const check = (crl: Uint8Array, caPem: string) =>
    inTempDir(async (dir) => {
      writeFileSync(join(dir, 'x.crl'), crl);
      writeFileSync(join(dir, 'ca.pem'), caPem);
      return openssl(['crl', '-inform', 'DER', '-in', 'x.crl', '-CAfile', 'ca.pem', '-noout', '-text'], dir);
    });

  it('issues an empty v2 CRL for the issuing CA that openssl verifies', async () => {
    const crl = await createCrl({
      caCertificate: h.issuingCertificate,
      caSigner: h.issuing,
      thisUpdate: new Date('2026-03-01T00:00:00Z'),
      crlNumber: 1772323200n,
    });
    assertDer(crl);
    const r = await check(crl, toPem(h.issuingCertificate));
    expect(r.output).toContain('verify OK');
    expect(r.output).toContain('Version 2 (0x1)');
    expect(r.output).toContain('Issuer: C = VN, O = Kyso, CN = Test Issuing CA');
    expect(r.output).toContain('Last Update: Mar  1 00:00:00 2026 GMT');
    expect(r.output).toContain('Next Update: Mar  8 00:00:00 2026 GMT');
    expect(r.output).toMatch(/X509v3 CRL Number: \n\s+1772323200/);
    expect(r.output).toContain(colonHex(keyIdentifier(await h.issuing.publicKey())));
    expect(r.output).toContain('No Revoked Certificates.');
  });

  it('lists revoked certificates with their reason, and none for unspecified', async () => {
    const crl = await createCrl({
      caCertificate: h.rootCertificate,
      caSigner: h.root,
      thisUpdate: new Date('2026-03-01T00:00:00Z'),
      nextUpdate: new Date('2026-03-02T00:00:00Z'),
      crlNumber: 0x80n,
      revoked: [
        { serialNumber: fromHex('0a0b'), revocationDate: new Date('2026-02-01T00:00:00Z'), reason: 'keyCompromise' },
        { serialNumber: fromHex('0c'), revocationDate: new Date('2026-02-02T00:00:00Z'), reason: 'unspecified' },
      ],
    });
    assertDer(crl); // CRL number 0x80 needs a leading zero byte to stay positive
    const r = await check(crl, toPem(h.rootCertificate));
    expect(r.output).toContain('verify OK');
    expect(r.output).toContain('Next Update: Mar  2 00:00:00 2026 GMT');
    expect(r.output).toMatch(
      /Serial Number: 0A0B\s+Revocation Date: Feb {2}1 00:00:00 2026 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code: \s+Key Compromise/,
    );
    expect(r.output).toMatch(/Serial Number: 0C\s+Revocation Date: Feb {2}2 00:00:00 2026 GMT\s+(Signature Algorithm|Serial)/);
    expect(r.output).toMatch(/CRL Number: \s+128/);
  });

  it('fails openssl verification under another CA', async () => {
    const crl = await createCrl({ caCertificate: h.issuingCertificate, caSigner: h.issuing, thisUpdate: new Date(), crlNumber: 1n });
    const r = await check(crl, toPem(h.rootCertificate));
    expect(r.output).not.toContain('verify OK');
  });
});

describe('PlatformPki.crl', () => {
  it('re-signs at most once a day and numbers CRLs by issue time', async () => {
    const h = await createTestHierarchy('ECC_NIST_P256');
    let now = new Date('2026-03-01T00:00:00Z');
    let signatures = 0;
    const countingRoot = {
      ...h.root,
      sign: (d: Uint8Array) => {
        signatures++;
        return h.root.sign(d);
      },
    };
    const pki = new PlatformPki({
      issuingCa: h.issuing,
      signingKey: softwareSigner(),
      rootCa: countingRoot,
      material: { rootCertificate: h.rootCertificate, issuingCertificate: h.issuingCertificate },
      clock: { now: () => now },
      publicUrl: 'https://kyso.test',
    });
    const first = await pki.crl('root-ca');
    now = new Date('2026-03-01T23:00:00Z');
    expect(await pki.crl('root-ca')).toBe(first);
    expect(signatures).toBe(1);
    now = new Date('2026-03-02T00:00:01Z');
    const second = await pki.crl('root-ca');
    expect(second).not.toBe(first);
    expect(signatures).toBe(2);
    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'x.crl'), second);
      writeFileSync(join(dir, 'ca.pem'), toPem(h.rootCertificate));
      const r = openssl(['crl', '-inform', 'DER', '-in', 'x.crl', '-CAfile', 'ca.pem', '-noout', '-text'], dir);
      expect(r.output).toContain('verify OK');
      expect(r.output).toMatch(/CRL Number: \s+1772409601/);
    });
  });

  it('says clearly when it has no TSA or root key', async () => {
    const h = await createTestHierarchy('ECC_NIST_P256');
    const pki = new PlatformPki({
      issuingCa: h.issuing,
      signingKey: softwareSigner(),
      material: { rootCertificate: h.rootCertificate, issuingCertificate: h.issuingCertificate },
      clock: { now: () => new Date() },
      publicUrl: 'https://kyso.test',
    });
    expect(() => pki.tsa).toThrow(/TSA/);
    await expect(pki.crl('root-ca')).rejects.toThrow(/root-ca/);
    expect((await pki.crl('issuing-ca')).length).toBeGreaterThan(100);
  });
});
