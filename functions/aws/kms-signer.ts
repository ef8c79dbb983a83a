import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { KeySigner, SignatureAlgorithm } from '../../shared/pki/key-signer.js';

/**
 * A KMS asymmetric key as a KeySigner. Signs with MessageType RAW: KMS hashes the bytes
 * itself (moto ignores DIGEST and would hash twice). Inputs are DER signed attributes or a
 * TBSCertificate, far under the 4096-byte RAW limit. The public key is cached per container
 * (GetPublicKey has a low quota).
 */
export const kmsSigner = ({ client, keyId, algorithm }: { client: KMSClient; keyId: string; algorithm: SignatureAlgorithm }): KeySigner => {
  let publicKey: Promise<Uint8Array> | undefined;
  return {
    algorithm,
    keyId,
    publicKey() {
      publicKey ??= client.send(new GetPublicKeyCommand({ KeyId: keyId })).then((r) => {
        if (!r.PublicKey) throw new Error(`KMS key ${keyId} returned no public key`);
        return new Uint8Array(r.PublicKey);
      });
      return publicKey;
    },
    async sign(data) {
      const r = await client.send(new SignCommand({ KeyId: keyId, Message: data, MessageType: 'RAW', SigningAlgorithm: algorithm }));
      if (!r.Signature) throw new Error(`KMS key ${keyId} returned no signature`);
      return new Uint8Array(r.Signature);
    },
  };
};
