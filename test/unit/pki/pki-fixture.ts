import { randomBytes } from 'node:crypto';
import { issueCertificate } from '../../../shared/pki/certificate.js';
import type { KeySigner, KeySpec } from '../../../shared/pki/key-signer.js';
import type { TsaCredentials } from '../../../shared/pki/timestamp-token.js';
import { softwareSigner } from '../../support/software-signer.js';

/** A root CA → issuing CA → TSA hierarchy over software keys, as the platform builds it with KMS keys. */
export interface TestHierarchy {
  readonly root: KeySigner;
  readonly issuing: KeySigner;
  readonly rootCertificate: Uint8Array;
  readonly issuingCertificate: Uint8Array;
  readonly tsa: TsaCredentials;
}

const YEAR = 365 * 24 * 3600_000;

export const fixedClock = (iso: string) => ({ now: () => new Date(iso) });

export const createTestHierarchy = async (spec: KeySpec, now = new Date()): Promise<TestHierarchy> => {
  const root = softwareSigner(spec);
  const issuing = softwareSigner(spec);
  const tsaKey = softwareSigner(spec);
  const notBefore = new Date(now.getTime() - 24 * 3600_000);
  const publicUrl = 'https://kyso.test';
  const rootCertificate = await issueCertificate({
    subject: { commonName: 'Test Root CA', organization: 'Kyso', country: 'VN' },
    subjectPublicKey: await root.publicKey(),
    profile: 'root-ca',
    serialNumber: randomBytes(16),
    notBefore,
    notAfter: new Date(now.getTime() + 20 * YEAR),
    issuerSigner: root,
  });
  const issuingCertificate = await issueCertificate({
    subject: { commonName: 'Test Issuing CA', organization: 'Kyso', country: 'VN' },
    subjectPublicKey: await issuing.publicKey(),
    profile: 'issuing-ca',
    serialNumber: randomBytes(16),
    notBefore,
    notAfter: new Date(now.getTime() + 10 * YEAR),
    issuerSigner: root,
    issuerCertificate: rootCertificate,
    crlUrl: `${publicUrl}/pki/crl/root-ca.crl`,
  });
  const tsaCertificate = await issueCertificate({
    subject: { commonName: 'Test TSA', organization: 'Kyso', country: 'VN' },
    subjectPublicKey: await tsaKey.publicKey(),
    profile: 'time-stamping',
    serialNumber: randomBytes(16),
    notBefore,
    notAfter: new Date(now.getTime() + 5 * YEAR),
    issuerSigner: issuing,
    issuerCertificate: issuingCertificate,
    crlUrl: `${publicUrl}/pki/crl/issuing-ca.crl`,
    issuerCertUrl: `${publicUrl}/pki/issuing-ca.cer`,
  });
  return {
    root,
    issuing,
    rootCertificate,
    issuingCertificate,
    tsa: { signer: tsaKey, certificate: tsaCertificate, chain: [issuingCertificate, rootCertificate] },
  };
};
