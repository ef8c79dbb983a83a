/**
 * The port every signing key sits behind. In production it is a KMS asymmetric key; in unit
 * tests a software key. The key never leaves its holder: callers hand over the bytes to sign
 * (the DER of CMS signed attributes or of a TBSCertificate) and get the signature back.
 */
export type SignatureAlgorithm = 'ECDSA_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_256';

export interface KeySigner {
  readonly algorithm: SignatureAlgorithm;
  /** Where the key lives (a KMS key id), for the record; absent for software keys. */
  readonly keyId?: string;
  /** SubjectPublicKeyInfo, DER. */
  publicKey(): Promise<Uint8Array>;
  /** Signs `data` (hashing it with SHA-256 itself); ECDSA signatures are DER-encoded. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Key specs a deployment or a tenant seal may choose (ADR 0001). */
export type KeySpec = 'ECC_NIST_P256' | 'RSA_2048' | 'RSA_3072';

export const algorithmForKeySpec = (spec: KeySpec): SignatureAlgorithm =>
  spec === 'ECC_NIST_P256' ? 'ECDSA_SHA_256' : 'RSASSA_PKCS1_V1_5_SHA_256';
