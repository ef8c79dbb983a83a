import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../shared/errors.js';
import type { IdentityAttemptState, IdentityAttemptStore, IdentityImageStore } from '../../shared/identity/ports.js';
import { isConditionFailure, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 *   pk                 sk            item
 *   TENANT#t#ENV#e     IDENTITY#r    failed proofs, lock, pending OpenID login of recipient r (versioned)
 */
export const dynamoIdentityAttempts = ({ client, tableName }: TableOptions): IdentityAttemptStore => ({
  async get(tenantId, envelopeId, recipientId) {
    const r = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: `TENANT#${tenantId}#ENV#${envelopeId}`, sk: `IDENTITY#${recipientId}` },
        ConsistentRead: true,
      }),
    );
    return stripKeys<IdentityAttemptState>(r.Item);
  },
  async put(state) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `TENANT#${state.tenantId}#ENV#${state.envelopeId}`, sk: `IDENTITY#${state.recipientId}`, ...state },
          ConditionExpression: state.version === 1 ? 'attribute_not_exists(pk)' : '#v = :expected',
          ...(state.version === 1
            ? {}
            : { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':expected': state.version - 1 } }),
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new AppError('conflict', 'Another identity attempt happened at the same time; try again.');
      throw e;
    }
  },
});

/** The object tag whose value (one of IDENTITY_IMAGE_DAYS) picks the bucket's lifecycle rule for an image. */
export const IDENTITY_IMAGE_TAG = 'kyso-identity-days';

/**
 * ID card and selfie images: S3 with SSE-KMS (the deployment's data key when given), under
 * `identity/`, tagged with the tenant's keeping period; the bucket's lifecycle rule for that tag
 * deletes them, old versions included (infra/constructs/documents-bucket.ts). Write-only from the API's point of view: nothing reads them back.
 */
export const s3IdentityImages = ({
  client,
  bucket,
  kmsKeyId,
}: {
  client: S3Client;
  bucket: string;
  kmsKeyId?: string;
}): IdentityImageStore => ({
  async put(key, bytes, keepDays) {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        // The bucket's lifecycle rule for this tag deletes the image (and its old versions) after keepDays.
        Tagging: `${IDENTITY_IMAGE_TAG}=${keepDays}`,
        ContentType: 'application/octet-stream',
        ServerSideEncryption: 'aws:kms',
        ...(kmsKeyId ? { SSEKMSKeyId: kmsKeyId } : {}),
      }),
    );
  },
});
