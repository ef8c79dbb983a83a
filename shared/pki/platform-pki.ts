import { randomBytes } from 'node:crypto';
import type { Clock } from '../envelope/ports.js';
import { type DistinguishedName, type IssueCertificateInput, issueCertificate, parseCertificate } from './certificate.js';
import { CRL_VALIDITY_MS, createCrl } from './crl.js';
import type { KeySigner } from './key-signer.js';
import { generateOneTimeKey } from './one-time-key.js';
import type { TsaCredentials } from './timestamp-token.js';

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

/** A signer's one-time credentials: `destroy()` once the signing is over (the key is gone for good). */
export interface OneTimeCredentials extends SignerCredentials {
  destroy(): void;
}

/**
 * An identity proven by an identity provider (eKYC on the chip of the citizen ID card, VNeID…).
 * Issue 12's identity step passes it; the certificate then names the person by their ID number.
 */
export interface VerifiedIdentity {
  /** Số CCCD (citizen identity card), 12 digits. */
  readonly idNumber: string;
  /** How it was verified, e.g. "ekyc-nfc", "vneid" (recorded in the audit trail, not in the certificate). */
  readonly method: string;
}

export interface OneTimeSubject {
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  readonly organization?: string;
  readonly verifiedIdentity?: VerifiedIdentity;
}

/**
 * Kyso's certificate policy for one-time signer certificates (UUID arc, as KYSO_TSA_POLICY:
 * 2.25.<UUID fc28409a-d048-4a9a-be01-26e88aa4ac14>). Meaning: the key was made for one
 * signing by one signer, destroyed after it, and the certificate was issued after the
 * identification recorded in the envelope's audit trail. Never change it.
 */
export const KYSO_ONE_TIME_POLICY = '2.25.335174457151952130991977335496399694868';

export const ONE_TIME_POLICY_NOTICE =
  'Chứng thư số dùng một lần, cấp sau khi định danh ghi trong nhật ký giao dịch / One-time certificate issued after the identification recorded in the audit trail';

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
    crlUrl: `${publicUrl}/pki/crl/root-ca.crl`,
  });
  return { rootCertificate, issuingCertificate };
};

/**
 * The TSA certificate (critical EKU timeStamping only), issued by the issuing CA. Made
 * lazily after the CA material, so deployments created before the TSA existed get one too.
 * Six years, but never past the issuing CA: tokens outlive it through the LTV data (DSS).
 */
export const createTsaCertificate = async (
  keys: { tsa: KeySigner; issuing: KeySigner },
  issuingCertificate: Uint8Array,
  clock: Clock,
  publicUrl: string,
): Promise<Uint8Array> => {
  const now = clock.now();
  const caNotAfter = parseCertificate(issuingCertificate).notAfter.value;
  return issueCertificate({
    subject: { commonName: 'Kyso Time-Stamping Authority 1', organization: 'Kyso', country: 'VN' },
    subjectPublicKey: await keys.tsa.publicKey(),
    profile: 'time-stamping',
    serialNumber: randomBytes(16),
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(Math.min(now.getTime() + 6 * YEAR, caNotAfter.getTime())),
    issuerSigner: keys.issuing,
    issuerCertificate: issuingCertificate,
    crlUrl: `${publicUrl}/pki/crl/issuing-ca.crl`,
    issuerCertUrl: `${publicUrl}/pki/issuing-ca.cer`,
  });
};

export type CaName = 'root-ca' | 'issuing-ca';

/** A cached CRL is re-signed after a day, well inside its 7-day nextUpdate. */
const CRL_REFRESH_MS = 24 * 3600_000;

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
      /** Optional so that callers built before the TSA/CRL work keep compiling; needed for root CRLs. */
      readonly rootCa?: KeySigner;
      readonly tsa?: { readonly signer: KeySigner; readonly certificate: Uint8Array };
    },
  ) {}

  private readonly crls = new Map<CaName, { readonly at: number; readonly der: Promise<Uint8Array> }>();

  /** The platform TSA: its KMS key, certificate and chain (issuing CA, root). */
  get tsa(): TsaCredentials {
    const { tsa, material } = this.options;
    if (!tsa) throw new Error('platform PKI was built without a TSA key');
    return { signer: tsa.signer, certificate: tsa.certificate, chain: [material.issuingCertificate, material.rootCertificate] };
  }

  /**
   * The current CRL of a platform CA, DER. Nothing is revoked yet (certificates per signature
   * are short-lived and never re-used), but validators and the DSS need a signed, fresh list.
   * Cached per container so a public endpoint cannot turn into a KMS Sign per request.
   * The CRL number is the issue time in seconds: it grows across containers without a counter.
   */
  crl(ca: CaName): Promise<Uint8Array> {
    const now = this.options.clock.now();
    const cached = this.crls.get(ca);
    if (cached && now.getTime() - cached.at < CRL_REFRESH_MS) return cached.der;
    const { material, issuingCa, rootCa } = this.options;
    const caSigner = ca === 'root-ca' ? rootCa : issuingCa;
    if (!caSigner) return Promise.reject(new Error(`platform PKI was built without the ${ca} key`));
    const der = createCrl({
      caCertificate: ca === 'root-ca' ? material.rootCertificate : material.issuingCertificate,
      caSigner,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + CRL_VALIDITY_MS),
      crlNumber: BigInt(Math.floor(now.getTime() / 1000)),
    });
    this.crls.set(ca, { at: now.getTime(), der });
    der.catch(() => {
      if (this.crls.get(ca)?.der === der) this.crls.delete(ca);
    });
    return der;
  }

  get rootCertificate(): Uint8Array {
    return this.options.material.rootCertificate;
  }

  get issuingCertificate(): Uint8Array {
    return this.options.material.issuingCertificate;
  }

  /** The platform signing key, which also signs the head of each completed envelope's audit chain. */
  get auditSigner(): KeySigner {
    return this.options.signingKey;
  }

  /**
   * A certificate for a tenant's organisation seal key (local mode; on AWS issue 8 lets the
   * tenant bring one from a real CA). Subject: organisation name and tax code (serialNumber).
   */
  async issueSealCertificate(input: { organization: string; taxCode: string; subjectPublicKey: Uint8Array }): Promise<Uint8Array> {
    return this.issueDocumentSigning(
      { commonName: input.organization, organization: input.organization, serialNumber: `MST:${input.taxCode}`, country: 'VN' },
      input.subjectPublicKey,
    );
  }

  async credentialsFor(subject: { name: string; email: string; organization?: string }): Promise<SignerCredentials> {
    const { signingKey, material } = this.options;
    const certificate = await this.issueDocumentSigning(
      {
        commonName: subject.name,
        organization: subject.organization ?? 'Kyso',
        organizationalUnit: 'Chữ ký điện tử xác thực qua email / Email-verified electronic signature',
        country: 'VN',
      },
      await signingKey.publicKey(),
    );
    return { certificate, chain: [material.issuingCertificate, material.rootCertificate], signer: signingKey };
  }

  /**
   * Credentials of the signer's own for one signing (issue 11, ADR 0011): a fresh key pair,
   * never used for anyone or anything else, certified by the issuing CA (one KMS Sign) with
   * the signer's identity and the one-time policy. Call `destroy()` when the signing is over.
   */
  async issueOneTimeCredentials(subject: OneTimeSubject): Promise<OneTimeCredentials> {
    const { material } = this.options;
    const key = generateOneTimeKey();
    try {
      const verified = subject.verifiedIdentity;
      const certificate = await this.issueDocumentSigning(
        {
          commonName: subject.name,
          ...(subject.organization ? { organization: subject.organization } : {}),
          organizationalUnit: verified
            ? 'Chứng thư số dùng một lần, đã định danh / One-time certificate, identity verified'
            : 'Chứng thư số dùng một lần / One-time certificate',
          country: 'VN',
          ...(verified ? { userId: `CCCD:${verified.idNumber}` } : subject.phone ? { userId: `TEL:${subject.phone}` } : {}),
        },
        await key.publicKey(),
        {
          policies: [{ oid: KYSO_ONE_TIME_POLICY, notice: ONE_TIME_POLICY_NOTICE }],
          ...(subject.email ? { email: subject.email } : {}),
        },
      );
      return { certificate, chain: [material.issuingCertificate, material.rootCertificate], signer: key, destroy: () => key.destroy() };
    } catch (e) {
      key.destroy();
      throw e;
    }
  }

  /** A two-year document-signing certificate from the issuing CA, with its CRL and issuer URLs. */
  private issueDocumentSigning(
    subject: DistinguishedName,
    subjectPublicKey: Uint8Array,
    extra: Pick<IssueCertificateInput, 'policies' | 'email'> = {},
  ): Promise<Uint8Array> {
    const { issuingCa, material, clock, publicUrl } = this.options;
    const now = clock.now();
    return issueCertificate({
      subject,
      subjectPublicKey,
      profile: 'document-signing',
      serialNumber: randomBytes(16),
      notBefore: new Date(now.getTime() - 5 * 60_000),
      notAfter: new Date(now.getTime() + 2 * YEAR),
      issuerSigner: issuingCa,
      issuerCertificate: material.issuingCertificate,
      issuerCertUrl: `${publicUrl}/pki/issuing-ca.cer`,
      crlUrl: `${publicUrl}/pki/crl/issuing-ca.crl`,
      ...extra,
    });
  }
}
