import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import type { SecretBox } from '../../shared/console/ports.js';

/**
 * Envelope encryption for the few secrets we must read back (console TOTP seeds): KMS makes a
 * fresh AES-256 data key per secret under the deployment's symmetric data key
 * (`<prefix>/data`, infra/constructs/data-key.ts), the secret is sealed locally with AES-256-GCM
 * and only the KMS-encrypted data key is kept beside it. The encryption context (purpose, user id)
 * is bound both by KMS and as GCM additional data, so a sealed secret copied onto another user's
 * item does not open. Stored form: `kms1.<encrypted data key>.<iv>.<ciphertext+tag>` (base64url).
 * Locally (moto) the key is made on first use; on AWS the stack makes it.
 */
export const kmsSecretBox = (o: { kms: KMSClient; alias: string; create: boolean }): SecretBox => {
  let keyId: Promise<string> | undefined;
  const resolve = async (): Promise<string> => {
    try {
      const d = await o.kms.send(new DescribeKeyCommand({ KeyId: o.alias }));
      return d.KeyMetadata?.KeyId as string;
    } catch (e) {
      if ((e as { name?: string }).name !== 'NotFoundException' || !o.create) throw e;
    }
    const made = await o.kms.send(
      new CreateKeyCommand({ KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', Description: 'Kyso data (local)' }),
    );
    const id = made.KeyMetadata?.KeyId as string;
    try {
      await o.kms.send(new CreateAliasCommand({ AliasName: o.alias, TargetKeyId: id }));
      return id;
    } catch {
      const d = await o.kms.send(new DescribeKeyCommand({ KeyId: o.alias }));
      return d.KeyMetadata?.KeyId as string;
    }
  };
  const key = () => {
    keyId ??= resolve().catch((e) => {
      keyId = undefined;
      throw e;
    });
    return keyId;
  };
  const aad = (context: Readonly<Record<string, string>>) =>
    Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));
  return {
    async seal(plain, context) {
      const dk = await o.kms.send(
        new GenerateDataKeyCommand({ KeyId: await key(), KeySpec: 'AES_256', EncryptionContext: { ...context } }),
      );
      const dataKey = Buffer.from(dk.Plaintext as Uint8Array);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dataKey, iv).setAAD(aad(context));
      const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      dataKey.fill(0);
      return ['kms1', Buffer.from(dk.CiphertextBlob as Uint8Array), iv, body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    async open(sealed, context) {
      const [version, edk, iv, body] = sealed.split('.');
      if (version !== 'kms1' || !edk || !iv || !body) throw new Error('Not a sealed secret.');
      const dk = await o.kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(edk, 'base64url'), EncryptionContext: { ...context } }));
      const dataKey = Buffer.from(dk.Plaintext as Uint8Array);
      const bytes = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(iv, 'base64url')).setAAD(aad(context));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      const out = Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]);
      dataKey.fill(0);
      return new Uint8Array(out);
    },
  };
};
