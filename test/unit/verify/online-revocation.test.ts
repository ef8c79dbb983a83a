import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCertificate, toPem } from '../../../shared/pki/certificate.js';
import { createCrl } from '../../../shared/pki/crl.js';
import { verifyPdf } from '../../../shared/verify/verify-pdf.js';
import { softwareSigner } from '../../support/software-signer.js';
import { signedDocument, type TestPki } from './documents.js';

const DAY = 86400_000;

/** Like createTestPki, but every certificate names its issuer's CRL (http://crl.test/<ca>.crl). */
const pkiWithCrlUrls = async (): Promise<TestPki> => {
  const [rootKey, caKey, signerKey, tsaKey] = [softwareSigner(), softwareSigner(), softwareSigner(), softwareSigner()];
  const notBefore = new Date(Date.now() - DAY);
  const notAfter = new Date(Date.now() + 365 * DAY);
  const base = { serialNumber: randomBytes(16), notBefore, notAfter };
  const root = await issueCertificate({
    ...base,
    subject: { commonName: 'Online Root', country: 'VN' },
    subjectPublicKey: rootKey.publicKeyDer,
    profile: 'root-ca',
    issuerSigner: rootKey,
  });
  const ca = await issueCertificate({
    ...base,
    serialNumber: randomBytes(16),
    subject: { commonName: 'Online CA', country: 'VN' },
    subjectPublicKey: caKey.publicKeyDer,
    profile: 'issuing-ca',
    issuerSigner: rootKey,
    issuerCertificate: root,
    crlUrl: 'http://crl.test/root.crl',
  });
  const leaf = (name: string, key: typeof signerKey, profile: 'document-signing' | 'time-stamping') =>
    issueCertificate({
      ...base,
      serialNumber: randomBytes(16),
      subject: { commonName: name, country: 'VN' },
      subjectPublicKey: key.publicKeyDer,
      profile,
      issuerSigner: caKey,
      issuerCertificate: ca,
      crlUrl: 'http://crl.test/ca.crl',
    });
  const tsa = { signer: tsaKey, certificate: await leaf('Online TSA', tsaKey, 'time-stamping'), chain: [ca, root] };
  return {
    root,
    ca,
    rootPem: toPem(root),
    caPem: toPem(ca),
    rootKey,
    caKey,
    signerKey,
    issueSigner: (n) => leaf(n, signerKey, 'document-signing'),
    tsa,
  };
};

describe('online revocation (when enabled)', () => {
  it('a B-T document without revocation data becomes valid with fetched CRLs, and stays B-T', async () => {
    const pki = await pkiWithCrlUrls();
    const { pdf } = await signedDocument({ pki, signers: 1, lta: false });
    const crls: Record<string, Uint8Array> = {
      'http://crl.test/root.crl': await createCrl({
        caCertificate: pki.root,
        caSigner: pki.rootKey,
        thisUpdate: new Date(),
        crlNumber: 1n,
      }),
      'http://crl.test/ca.crl': await createCrl({ caCertificate: pki.ca, caSigner: pki.caKey, thisUpdate: new Date(), crlNumber: 1n }),
    };
    const asked: string[] = [];
    const fetchCrl = async (url: string) => {
      asked.push(url);
      return crls[url];
    };
    const offline = await verifyPdf(pdf, { trustAnchors: [pki.root], now: new Date() });
    expect(offline.verdict).toBe('indeterminate');
    const online = await verifyPdf(pdf, { trustAnchors: [pki.root], now: new Date(), fetchCrl });
    expect(online.verdict, JSON.stringify(online.reasons)).toBe('valid');
    expect(online.signatures[0]?.revocation).toMatchObject({ status: 'good', source: 'online', crlsChecked: 2 });
    expect(online.level).toBe('B-T');
    expect(asked.sort()).toEqual(['http://crl.test/ca.crl', 'http://crl.test/root.crl']);
    // a fetcher that fails is only missing data
    const failing = await verifyPdf(pdf, {
      trustAnchors: [pki.root],
      now: new Date(),
      fetchCrl: async () => Promise.reject(new Error('down')),
    });
    expect(failing.verdict).toBe('indeterminate');
  });
});
