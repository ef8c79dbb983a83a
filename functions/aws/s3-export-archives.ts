import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EXPORT_ARCHIVE_TAG } from '../../shared/data-subjects/export-job.js';
import type { ExportArchiveStore } from '../../shared/data-subjects/types.js';

/**
 * Personal-data export archives (`tenants/<t>/data-subject-exports/<job>.zip`), tagged so the
 * bucket's lifecycle rule deletes them after EXPORT_KEEP_DAYS (infra/constructs/documents-bucket.ts).
 */
export const s3ExportArchives = ({ client, bucket }: { client: S3Client; bucket: string }): ExportArchiveStore => ({
  async put(key, bytes) {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ContentType: 'application/zip',
        Tagging: `${EXPORT_ARCHIVE_TAG.key}=${EXPORT_ARCHIVE_TAG.value}`,
      }),
    );
  },
});
