import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { KeySigner } from './key-signer.js';

/** A KeySigner that can be destroyed: after `destroy()` it refuses to sign (ADR 0011). */
export interface OneTimeKey extends KeySigner {
  destroy(): void;
  readonly isDestroyed: boolean;
}

/**
 * A fresh ECDSA P-256 key pair made in this process's memory for one signing (ADR 0011).
 * The private key is never serialised, stored, logged or returned; `destroy()` drops the
 * only reference, so nothing can sign with it again (V8 frees the memory with the object).
 */
export const generateOneTimeKey = (): OneTimeKey => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let privateKey: KeyObject | undefined = pair.privateKey;
  const spki = new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
  return {
    algorithm: 'ECDSA_SHA_256',
    publicKey: async () => spki,
    sign: async (data) => {
      if (!privateKey) throw new Error('one-time key already destroyed');
      return new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
    },
    destroy: () => {
      privateKey = undefined;
    },
    get isDestroyed() {
      return privateKey === undefined;
    },
  };
};
