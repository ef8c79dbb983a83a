/** How identity was proven: ID card + selfie through an eKYC vendor, or a VNeID-federating OpenID provider. */
export type IdentityMethod = 'ekyc-document-face' | 'vneid-oidc';

/**
 * The evidence of a proof of identity, kept on the recipient, hash-chained in the audit trail
 * (`recipient.identity_verified`), printed in the certificate of completion and carried into
 * the signer's certificate (subject UID `CCCD:<idNumber>`). Never contains images.
 */
export interface IdentityEvidence {
  readonly provider: string;
  readonly method: IdentityMethod;
  /** The provider's id for this check (what their support and logs know it by). */
  readonly transactionId: string;
  readonly verifiedAt: string;
  readonly fullName: string;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string;
  readonly idNumber: string;
  /** 0..1; which ones depends on the method (faceMatch, liveness, documentAuthenticity; OIDC: none). */
  readonly scores?: Readonly<Record<string, number>>;
  /** OIDC: the assurance level the provider stated (`acr`), e.g. VNeID level 2. */
  readonly assuranceLevel?: string;
  /** SHA-256 of the submitted images (the images themselves are stored encrypted, never returned). */
  readonly imageSha256?: readonly string[];
}

/** What the sender asked for, and the evidence once proven. */
export interface IdentityRequirement {
  readonly required: boolean;
  /** When given, the proof must show this citizen ID number. */
  readonly idNumber?: string;
  readonly evidence?: IdentityEvidence;
  /**
   * Failed proofs so far, and when the fifth locked proofing: on the recipient, so a failure is
   * counted in the same commit as the audit event and the sender's notice it owes.
   */
  readonly failures?: number;
  readonly lockedAt?: string;
}
