import { type AgentKey, type KeyProvider, KeyProviderError } from './key-provider.js';

export interface Pkcs11Options {
  /** Path of the vendor's PKCS#11 module, e.g. /usr/lib/libvnpt-ca.so or C:\Windows\System32\vnptca_p11_v8.dll. */
  readonly module: string;
  /** Slot index, default the first slot with a token. */
  readonly slot?: number;
  /** Asks the person for the token PIN (never stored, never sent to the page). */
  readonly pin: () => Promise<string>;
}

/**
 * PKCS#11 tokens: not implemented yet. The plan, so the interface stays right:
 * list() = C_GetSlotList + C_FindObjects(CKO_CERTIFICATE) and the matching CKO_PRIVATE_KEY
 * by CKA_ID; sign() = C_Login(pin) + C_SignInit(CKM_SHA256_RSA_PKCS | CKM_ECDSA_SHA256) +
 * C_Sign(data). CKM_ECDSA returns r||s, which Kyso accepts as well as DER. A native binding
 * (e.g. the `pkcs11js` package) would be an optional dependency of the agent only.
 */
export class Pkcs11Provider implements KeyProvider {
  readonly kind = 'pkcs11';

  constructor(readonly options: Pkcs11Options) {}

  list(): Promise<readonly AgentKey[]> {
    return Promise.reject(this.notImplemented());
  }

  sign(): Promise<Uint8Array> {
    return Promise.reject(this.notImplemented());
  }

  private notImplemented() {
    return new KeyProviderError(
      `PKCS#11 tokens are not supported yet (module ${this.options.module}); export the certificate to a .p12 file or use --key/--cert.`,
    );
  }
}
