import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PresignedUrls } from '../../shared/uploads/ports.js';

/** Presigned S3 URLs (SigV4 query auth); the signed Content-Length pins the upload size. */
export const s3PresignedUrls = ({ client, bucket }: { client: S3Client; bucket: string }): PresignedUrls => ({
  presignPut: (key, size, expiresIn) =>
    getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: 'application/pdf', ContentLength: size }), {
      expiresIn,
      signableHeaders: new Set(['content-type', 'content-length']),
    }),
  presignGet: (key, filename, expiresIn, contentType = 'application/pdf') =>
    getSignedUrl(
      client,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentType: contentType,
        ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
      }),
      { expiresIn },
    ),
});
