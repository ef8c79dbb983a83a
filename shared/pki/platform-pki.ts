import { randomBytes } from 'node:crypto';
import type { Clock } from '../envelope/ports.js';
import { issueCertificate } from './certificate.js';
import type { KeySigner } from './key-signer.js';

/** The platform CA certificates (DER), created once by bootstrap and stored. */
export interface PkiMaterial {
  readonly rootCertificate: Uint8Array;
  readonly issuingCertificate: Uint8Array;
}

export interface SignerCredentials {
  readonly certificate: Uint8Array;
  /** issuer first, root last */
  readonly chain: readonly Uint8Array[];
  readonly signer: KeySigner;
}

const YEAR = 365 * 24 * 3600_000;

/** Creates the platform root (20 years) and issuing CA (10 years) certificates with the given KMS keys. */
export const createPkiMaterial = async (
  keys: { root: KeySigner; issuing: KeySigner },
  clock: Clock,
  publicUrl: string,
): Promise<PkiMaterial> => {
  const now = clock.now();
  const notBefore = new Date(now.getTime() - 3600_000);
  const rootCertificate = await issueCertificate({
    subject: { commonName: 'Kyso Root CA', organization: 'Kyso', country: 'VN' },
    subjectPublicKey: await keys.root.publicKey(),
    profile: 'root-ca',
    serialNumber: randomBytes(16),
    notBefore,
    notAfter: new Date(now.getTime() + 20 * YEAR),
    issuerSigner: keys.root,
  });
  const issuingCertificate = await issueCertificate({
    subject: { commonName: 'Kyso Issuing CA 1', organization: 'Kyso', country: 'VN' },
    subjectPublicKey: await keys.issuing.publicKey(),
    profile: 'issuing-ca',
    serialNumber: randomBytes(16),
    notBefore,
    notAfter: new Date(now.getTime() + 10 * YEAR),
    issuerSigner: keys.root,
    issuerCertificate: rootCertificate,
    issuerCertUrl: `${publicUrl}/pki/root.cer`,
  });
  return { rootCertificate, issuingCertificate };
};

/**
 * Credentials for a signer who has no certificate of their own: the platform signing key
 * (in KMS) with a short-lived certificate naming that signer, issued by the platform CA.
 * A certificate per signature also keeps validators that cache certificates by identity
 * (NSS in poppler < 25 reports the second use of one certificate in a file as corrupted)
 * from misreporting multi-signer documents.
 */
export class PlatformPki {
  constructor(
    private readonly options: {
      readonly issuingCa: KeySigner;
      readonly signingKey: KeySigner;
      readonly material: PkiMaterial;
      readonly clock: Clock;
      readonly publicUrl: string;
    },
  ) {}

  get rootCertificate(): Uint8Array {
    return this.options.material.rootCertificate;
  }

  get issuingCertificate(): Uint8Array {
    return this.options.material.issuingCertificate;
  }

  async credentialsFor(subject: { name: string; email: string; organization?: string }): Promise<SignerCredentials> {
    const { issuingCa, signingKey, material, clock, publicUrl } = this.options;
    const now = clock.now();
    const certificate = await issueCertificate({
      subject: {
        commonName: subject.name,
        organization: subject.organization ?? 'Kyso',
        organizationalUnit: 'Chữ ký điện tử xác thực qua email / Email-verified electronic signature',
        country: 'VN',
      },
      subjectPublicKey: await signingKey.publicKey(),
      profile: 'document-signing',
      serialNumber: randomBytes(16),
      notBefore: new Date(now.getTime() - 5 * 60_000),
      notAfter: new Date(now.getTime() + 2 * YEAR),
      issuerSigner: issuingCa,
      issuerCertificate: material.issuingCertificate,
      issuerCertUrl: `${publicUrl}/pki/issuing-ca.cer`,
    });
    return { certificate, chain: [material.issuingCertificate, material.rootCertificate], signer: signingKey };
  }
}
