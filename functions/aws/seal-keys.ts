import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../shared/errors.js';
import { algorithmForKeySpec, type KeySigner, type KeySpec } from '../../shared/pki/key-signer.js';
import type { SealKeys } from '../../shared/seal/ports.js';
import type { DocumentClient } from './dynamo-document-client.js';
import { kmsSigner } from './kms-signer.js';

/**
 * The seal item TENANT#t / SEAL (written by POST /v1/seal, functions/aws/tenant-seal.ts) seen
 * from the CSR/certificate side: its KMS key as a KeySigner, and the uploaded certificate
 * written with a condition on the key id, so a certificate can never be stored against a
 * key that was replaced meanwhile.
 */
export const dynamoSealKeys = (o: { kms: KMSClient; dynamo: DocumentClient; tableName: string }): SealKeys => {
  const signers = new Map<string, KeySigner>();
  const key = (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'SEAL' });
  return {
    async key(tenantId) {
      const r = await o.dynamo.send(new GetCommand({ TableName: o.tableName, Key: key(tenantId), ConsistentRead: true }));
      const item = r.Item;
      if (!item?.keyId) return undefined;
      const keyId = item.keyId as string;
      let signer = signers.get(keyId);
      if (!signer) {
        signer = kmsSigner({ client: o.kms, keyId, algorithm: algorithmForKeySpec((item.keySpec as KeySpec) ?? 'ECC_NIST_P256') });
        signers.set(keyId, signer);
      }
      return { keyId, signer, organization: item.organization as string, taxCode: item.taxCode as string };
    },
    async installCertificate(tenantId, keyId, certificate, chain) {
      try {
        await o.dynamo.send(
          new UpdateCommand({
            TableName: o.tableName,
            Key: key(tenantId),
            UpdateExpression: 'SET certificate = :c, chain = :ch, certificateSource = :s',
            ConditionExpression: 'keyId = :k',
            ExpressionAttributeValues: {
              ':c': Buffer.from(certificate).toString('base64'),
              ':ch': chain.map((c) => Buffer.from(c).toString('base64')),
              ':s': 'ca-upload',
              ':k': keyId,
            },
          }),
        );
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException') {
          throw new AppError('conflict', 'The seal key changed meanwhile: download a new CSR.');
        }
        throw e;
      }
    },
  };
};
