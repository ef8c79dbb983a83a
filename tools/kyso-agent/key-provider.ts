import type { AgentAlgorithm } from './protocol.js';

/** One signing key the agent can use, with its certificate chain (DER, certificate first). */
export interface AgentKey {
  readonly id: string;
  readonly chain: readonly Uint8Array[];
  readonly algorithm: AgentAlgorithm;
}

/**
 * Where keys live: a USB token through its vendor's PKCS#11 module (pkcs11-provider.ts; the
 * tokens Vietnamese CAs ship: VNPT-CA, Viettel-CA, FPT-CA, ... each with its own .dll/.so),
 * or a PKCS#12 file / PEM pair in memory (software-provider.ts).
 */
export interface KeyProvider {
  readonly kind: string;
  list(): Promise<readonly AgentKey[]>;
  /** Signs `data` with SHA-256 (hashing it itself): ECDSA returns DER, RSA PKCS#1 v1.5. */
  sign(keyId: string, data: Uint8Array): Promise<Uint8Array>;
}

export class KeyProviderError extends Error {
  override readonly name = 'KeyProviderError';
}
