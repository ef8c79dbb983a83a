import type { IdentityEvidence, IdentityMethod } from './types.js';

/** What a provider found; the domain (prove-identity.ts) decides whether it proves the recipient. */
export interface ProviderFinding {
  readonly provider: string;
  readonly method: IdentityMethod;
  readonly transactionId: string;
  readonly fullName: string;
  readonly dateOfBirth: string;
  readonly idNumber: string;
  readonly scores?: Readonly<Record<string, number>>;
  readonly assuranceLevel?: string;
  /** The provider suspects a forged or tampered card, a replayed selfie, or flagged the account. */
  readonly fraudSuspected?: boolean;
}

/** Why a provider could not answer (not the person's fault: not counted as a failed attempt). */
export class IdentityProviderError extends Error {
  constructor(
    readonly reason: 'unavailable' | 'refused' | 'invalid_response',
    message: string,
  ) {
    super(message);
    this.name = 'IdentityProviderError';
  }
}

export interface DocumentImages {
  readonly front: Uint8Array;
  readonly back: Uint8Array;
  readonly selfie: Uint8Array;
}

/**
 * The `IdentityProvider` port, in its two kinds: an eKYC vendor reading the citizen ID card
 * and matching the selfie against its photo, and an OpenID Connect provider federating VNeID
 * (authorization code + PKCE; the ID token's signature checked against the provider's JWKS).
 */
export interface DocumentIdentityProvider {
  readonly kind: 'document';
  readonly name: string;
  verifyDocument(images: DocumentImages): Promise<ProviderFinding>;
}

export interface OidcIdentityProvider {
  readonly kind: 'oidc';
  readonly name: string;
  authorizationUrl(input: {
    state: string;
    nonce: string;
    codeChallenge: string;
    redirectUri: string;
    loginHint?: string;
  }): Promise<string>;
  /** Exchanges the code, verifies the ID token (signature, issuer, audience, expiry, nonce) and reads its claims. */
  redeem(input: { code: string; codeVerifier: string; redirectUri: string; nonce: string }): Promise<ProviderFinding>;
}

export type IdentityProvider = DocumentIdentityProvider | OidcIdentityProvider;

/** Attempts and the pending OpenID Connect login of one recipient (versioned, conditional writes). */
export interface IdentityAttemptState {
  readonly tenantId: string;
  readonly envelopeId: string;
  readonly recipientId: string;
  readonly version: number;
  /**
   * Failed proofs counted here before they moved to the recipient (`IdentityRequirement.failures`,
   * committed with their effects): still read, so an earlier lock holds; no longer counted here.
   */
  readonly failures: number;
  readonly lockedAt?: string;
  readonly pending?: { readonly stateHash: string; readonly codeVerifier: string; readonly nonce: string; readonly startedAt: string };
}

export interface IdentityAttemptStore {
  get(tenantId: string, envelopeId: string, recipientId: string): Promise<IdentityAttemptState | undefined>;
  /** Writes only if the stored version is `state.version - 1` (0 = absent); else AppError('conflict'). */
  put(state: IdentityAttemptState): Promise<void>;
}

/** Submitted images, stored encrypted (S3 SSE-KMS) under a prefix that expires with the retention period; never read back by the API. */
/**
 * How long ID-card and selfie images are kept, in days: a tenant setting among fixed tiers (each
 * an S3 lifecycle rule on the image's tag, infra/constructs/documents-bucket.ts). The evidence
 * itself (fields, scores, the images' SHA-256) stays in the audit trail as long as the contract.
 */
export const IDENTITY_IMAGE_DAYS = [30, 90, 180, 365] as const;
export type IdentityImageDays = (typeof IDENTITY_IMAGE_DAYS)[number];
export const DEFAULT_IDENTITY_IMAGE_DAYS: IdentityImageDays = 90;

export interface IdentityImageStore {
  /** Stores one image, marked to be deleted `keepDays` after it was written. */
  put(key: string, bytes: Uint8Array, keepDays: IdentityImageDays): Promise<void>;
}

export interface IdentityDeps {
  readonly document?: DocumentIdentityProvider;
  readonly oidc?: OidcIdentityProvider;
  readonly attempts: IdentityAttemptStore;
  readonly images: IdentityImageStore;
  /** Lowest face-match score accepted (0..1). */
  readonly minFaceMatch: number;
  /** OIDC: the `acr` an ID token must carry (e.g. VNeID level 2); absent = any. */
  readonly requiredAcr?: string;
  /** Where the OpenID provider sends the browser back: `${publicUrl}/identity/oidc/callback`. */
  readonly oidcRedirectUri: string;
}

export type { IdentityEvidence };
