import { randomBytes } from 'node:crypto';
import { issueCertificate, toPem } from '../../shared/pki/certificate.js';
import type { KeySpec } from '../../shared/pki/key-signer.js';
import { softwareSigner } from './software-signer.js';

const DAY = 86400_000;

/** A throwaway three-level PKI (root → issuing CA → signer) on software keys, for unit tests. */
export const createTestPki = async (spec: KeySpec = 'ECC_NIST_P256', now = new Date()) => {
  const rootKey = softwareSigner(spec);
  const caKey = softwareSigner(spec);
  const signerKey = softwareSigner(spec);
  const notBefore = new Date(now.getTime() - DAY);
  const notAfter = new Date(now.getTime() + 365 * DAY);
  const root = await issueCertificate({
    subject: { commonName: 'Test Root', organization: 'Kyso Test', country: 'VN' },
    subjectPublicKey: await rootKey.publicKey(),
    profile: 'root-ca',
    serialNumber: randomBytes(16),
    notBefore,
    notAfter,
    issuerSigner: rootKey,
  });
  const ca = await issueCertificate({
    subject: { commonName: 'Test Issuing CA', organization: 'Kyso Test', country: 'VN' },
    subjectPublicKey: await caKey.publicKey(),
    profile: 'issuing-ca',
    serialNumber: randomBytes(16),
    notBefore,
    notAfter,
    issuerSigner: rootKey,
    issuerCertificate: root,
  });
  /** A signing certificate for `name`, for the PKI's software signer key or another public key (a token's, DER SPKI). */
  const issueSigner = (name: string, publicKeyDer: Uint8Array = signerKey.publicKeyDer) =>
    issueCertificate({
      subject: { commonName: name, organization: 'Kyso Test', country: 'VN' },
      subjectPublicKey: publicKeyDer,
      profile: 'document-signing',
      serialNumber: randomBytes(16),
      notBefore,
      notAfter,
      issuerSigner: caKey,
      issuerCertificate: ca,
    });
  const tsaKey = softwareSigner(spec);
  const tsaCertificate = await issueCertificate({
    subject: { commonName: 'Test TSA', organization: 'Kyso Test', country: 'VN' },
    subjectPublicKey: tsaKey.publicKeyDer,
    profile: 'time-stamping',
    serialNumber: randomBytes(16),
    notBefore,
    notAfter,
    issuerSigner: caKey,
    issuerCertificate: ca,
  });
  const tsa = { signer: tsaKey, certificate: tsaCertificate, chain: [ca, root] };
  return { root, ca, rootPem: toPem(root), caPem: toPem(ca), rootKey, caKey, signerKey, issueSigner, tsa };
};
