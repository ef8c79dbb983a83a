import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DocumentStore } from '../../shared/envelope/ports.js';
import { AppError } from '../../shared/errors.js';
import { putNewObject } from './s3-put-new.js';

/** Document revisions in S3, keyed by content hash under the tenant's prefix (never overwritten in place). */
export const s3DocumentStore = ({ client, bucket }: { client: S3Client; bucket: string }): DocumentStore => ({
  async put(key, bytes) {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: 'application/pdf' }));
  },
  putNew: (key, bytes) => putNewObject(client, { Bucket: bucket, Key: key, Body: bytes, ContentType: 'application/pdf' }),
  async get(key) {
    try {
      const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return new Uint8Array(await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') throw new AppError('not_found', 'Document not found.');
      throw e;
    }
  },
});
