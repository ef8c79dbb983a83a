import type { SignatureTier } from './signature-tier.js';

/** The verification report: what POST /v1/verify answers, as JSON, HTML or PDF. */
export type Verdict = 'valid' | 'invalid' | 'indeterminate';
export type SignatureKind = 'approval' | 'certification' | 'document-timestamp';
export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  /** Upper-case hex. */
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha256: string;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly detail?: string;
}

export interface TimestampReport {
  readonly time?: string;
  /** Imprint, TSA signature, TSA certificate (timeStamping EKU, path to a trusted root). */
  readonly valid: boolean;
  readonly trusted: boolean;
  readonly tsa?: string;
  readonly detail?: string;
}

export interface RevocationReport {
  /** good: every certificate of the path below the root has a verified CRL not listing it. */
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly source: 'dss' | 'cms' | 'online' | 'ocsp' | 'none' | 'mixed';
  readonly crlsChecked: number;
  /** OCSP responses found in the file, and how many certificates of the path one of them vouched for. */
  readonly ocspResponses: number;
  readonly ocspChecked: number;
  readonly detail?: string;
}

export interface SignatureReport {
  readonly index: number;
  readonly kind: SignatureKind;
  readonly fieldName?: string;
  readonly subFilter?: string;
  /** /Name of the signature dictionary, else the certificate's common name. */
  readonly signerName?: string;
  /** /M: the time the signer claims (not trusted). */
  readonly claimedTime?: string;
  readonly reason?: string;
  readonly certificate?: CertificateInfo;
  /** What kind of signature it is (issue 11): electronic (platform one-time), digital (licensed CA), seal, platform, untrusted. */
  readonly tier?: SignatureTier;
  /** The tier in words, Vietnamese and English. */
  readonly tierText?: { readonly vi: string; readonly en: string };
  readonly byteRange: readonly number[];
  /** message digest (or timestamp imprint) over the ByteRange. */
  readonly integrity: CheckResult;
  /** The signature value against the signer certificate's public key. */
  readonly signatureValue: CheckResult;
  readonly coverage: {
    readonly revisionEnd: number;
    readonly coversRevision: boolean;
    readonly coversWholeFile: boolean;
    readonly detail?: string;
  };
  readonly modifications: { readonly allowed: readonly string[]; readonly disallowed: readonly string[] };
  readonly certificatePath: { readonly trusted: boolean; readonly chain: readonly string[]; readonly detail?: string };
  readonly revocation: RevocationReport;
  readonly timestamp?: TimestampReport;
  readonly level?: PadesLevel;
  readonly verdict: Verdict;
  readonly reasons: readonly string[];
}

export interface EnvelopeSummary {
  readonly envelopeId: string;
  readonly title: string;
  readonly status: string;
  readonly parties: readonly { readonly name: string; readonly signedAt?: string }[];
  readonly completedAt?: string;
  /** The uploaded file is the envelope's current document, not an earlier revision of it. */
  readonly currentRevision: boolean;
}

export interface VerificationReport {
  readonly sha256: string;
  readonly size: number;
  readonly pages: number;
  readonly revisions: number;
  readonly checkedAt: string;
  readonly verdict: Verdict;
  readonly reasons: readonly string[];
  /** Lowest level reached by the approval signatures (none without signatures). */
  readonly level?: PadesLevel;
  readonly signatures: readonly SignatureReport[];
  /** The chain of document timestamps, oldest first: each renewal (issue 17) covers the ones before it. */
  readonly documentTimestamps?: readonly DocumentTimestampLink[];
  readonly kyso?: EnvelopeSummary;
  /** Active content found (JavaScript, OpenAction/AA, launch, embedded files, XFA): what a viewer shows may differ from what was signed. */
  readonly activeContent?: readonly string[];
}

/** One link of the document-timestamp chain of a verification report. */
export interface DocumentTimestampLink {
  /** Index in `signatures`. */
  readonly index: number;
  readonly time?: string;
  readonly tsa?: string;
  /** When the TSA's certificate expires: a later timestamp must cover this one before then. */
  readonly tsaCertificateNotAfter?: string;
  readonly verdict: Verdict;
  readonly revisionEnd: number;
}
