import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCertificate, parseCertificate } from '../../../shared/pki/certificate.js';
import { createCrl } from '../../../shared/pki/crl.js';
import { checkPathRevocation } from '../../../shared/signing/check-revocation-online.js';
import { createTestPki } from '../../support/test-pki.js';

describe("revocation of a signer's own certificate (when a CRL is available)", () => {
  it('is good with a CRL that does not list it, refused when listed, unknown without a CRL or fetcher', async () => {
    const pki = await createTestPki('ECC_NIST_P256');
    const now = new Date();
    const cert = await issueCertificate({
      subject: { commonName: 'Nguyễn Văn An', country: 'VN' },
      subjectPublicKey: pki.signerKey.publicKeyDer,
      profile: 'document-signing',
      serialNumber: randomBytes(16),
      notBefore: new Date(now.getTime() - 3600_000),
      notAfter: new Date(now.getTime() + 86400_000),
      issuerSigner: pki.caKey,
      issuerCertificate: pki.ca,
      crlUrl: 'http://crl.ca.test/issuing.crl',
    });
    const path = [cert, pki.ca, pki.root];
    const crl = (revoked: boolean) =>
      createCrl({
        caCertificate: pki.ca,
        caSigner: pki.caKey,
        thisUpdate: new Date(now.getTime() - 60_000),
        crlNumber: 1n,
        revoked: revoked
          ? [
              {
                serialNumber: new Uint8Array(parseCertificate(cert).serialNumber.valueBlock.valueHexView),
                revocationDate: new Date(now.getTime() - 30_000),
              },
            ]
          : [],
      });
    const fetched: string[] = [];
    const fetcher = (list: Uint8Array) => async (url: string) => {
      fetched.push(url);
      return list;
    };
    expect(await checkPathRevocation(path, fetcher(await crl(false)), now)).toBe('good');
    expect(fetched).toEqual(['http://crl.ca.test/issuing.crl']);
    await expect(checkPathRevocation(path, fetcher(await crl(true)), now)).rejects.toMatchObject({
      code: 'certificate_rejected',
      message: /revoked/,
    });
    expect(await checkPathRevocation(path, async () => undefined, now)).toBe('unknown');
    expect(await checkPathRevocation(path, undefined, now)).toBe('unknown');
  });
});
