import type { KeySigner } from '../pki/key-signer.js';

/**
 * The tenant's organisation seal key (KMS, created by POST /v1/seal) as far as the CSR and the
 * certificate upload need it. The key never leaves KMS: the CSR is signed through it.
 */
export interface SealKey {
  readonly keyId: string;
  readonly signer: KeySigner;
  readonly organization: string;
  readonly taxCode: string;
}

export interface SealKeys {
  key(tenantId: string): Promise<SealKey | undefined>;
  /** Stores the CA-issued certificate and its chain for the seal, if the seal still has key `keyId`. */
  installCertificate(tenantId: string, keyId: string, certificate: Uint8Array, chain: readonly Uint8Array[]): Promise<void>;
}
