import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../shared/pki/certificate.js';
import { externalCrls } from '../../../shared/pki/external-crls.js';
import { softwareSigner } from '../../support/software-signer.js';
import { createTestPki } from '../../support/test-pki.js';

describe('CRLs for certificates of other CAs (DSS at completion)', () => {
  it('fetches each distribution point of a foreign-issued certificate once, and skips platform-issued ones and roots', async () => {
    const platform = await createTestPki();
    const foreign = await createTestPki();
    const day = 86400_000;
    const leafKey = softwareSigner();
    const issue = (issuer: typeof platform, crlUrl: string) =>
      issueCertificate({
        subject: { commonName: 'Người ký', country: 'VN' },
        subjectPublicKey: leafKey.publicKeyDer,
        profile: 'document-signing',
        serialNumber: randomBytes(16),
        notBefore: new Date(Date.now() - day),
        notAfter: new Date(Date.now() + day),
        issuerSigner: issuer.caKey,
        issuerCertificate: issuer.ca,
        crlUrl,
      });
    const foreignLeaf = await issue(foreign, 'http://crl.ca-ngoai.vn/ca.crl');
    const foreignLeaf2 = await issue(foreign, 'http://crl.ca-ngoai.vn/ca.crl');
    const ourLeaf = await issue(platform, 'http://kyso.test/pki/crl/issuing-ca.crl');
    const asked: string[] = [];
    const crl = new Uint8Array([0x30, 0x00]);
    const crls = await externalCrls(
      [foreignLeaf, foreignLeaf2, ourLeaf, foreign.root, platform.root],
      [platform.root, platform.ca],
      async (url) => {
        asked.push(url);
        return crl;
      },
    );
    expect(asked).toEqual(['http://crl.ca-ngoai.vn/ca.crl']);
    expect(crls).toEqual([crl]);
  });

  it('leaves out what cannot be fetched instead of failing the completion', async () => {
    const platform = await createTestPki();
    const foreign = await createTestPki();
    const leaf = await issueCertificate({
      subject: { commonName: 'X' },
      subjectPublicKey: softwareSigner().publicKeyDer,
      profile: 'document-signing',
      serialNumber: randomBytes(16),
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86400_000),
      issuerSigner: foreign.caKey,
      issuerCertificate: foreign.ca,
      crlUrl: 'http://down.example/ca.crl',
    });
    expect(await externalCrls([leaf], [platform.root, platform.ca], async () => Promise.reject(new Error('down')))).toEqual([]);
  });
});
