import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { KeySigner, KeySpec } from '../../shared/pki/key-signer.js';
import { algorithmForKeySpec } from '../../shared/pki/key-signer.js';

/** A KeySigner over an in-memory key, for unit tests of the PKI and PDF code (no KMS). */
export const softwareSigner = (spec: KeySpec = 'ECC_NIST_P256'): KeySigner & { privateKey: KeyObject; publicKeyDer: Uint8Array } => {
  const { privateKey, publicKey } =
    spec === 'ECC_NIST_P256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: spec === 'RSA_2048' ? 2048 : 3072 });
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return {
    algorithm: algorithmForKeySpec(spec),
    privateKey,
    publicKeyDer: spki,
    publicKey: async () => spki,
    sign: async (data) => new Uint8Array(sign('sha256', data, privateKey)),
  };
};
