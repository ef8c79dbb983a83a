import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AppError } from '../../shared/errors.js';
import type { ArchiveStore, ObjectRetention } from '../../shared/retention/ports.js';
import { putNewObject } from './s3-put-new.js';

const isLockRefusal = (e: unknown) => {
  const name = (e as { name?: string }).name;
  return name === 'AccessDenied' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403;
};

/**
 * S3 Object Lock on the documents bucket (created with Object Lock enabled: infra's
 * DocumentsBucket, locally bootstrap.ts). Retention and legal hold always address the
 * current version, which is the only one a content-addressed key ever has.
 *
 * Reading retention: `HeadObject` returns the mode, date and legal hold on real S3 and moto
 * alike; `GetObjectRetention` is tried first, but moto 5.2 does not implement it (it answers
 * the object itself, which the SDK cannot parse), so the head is the fallback.
 */
export const s3ArchiveStore = ({
  client,
  bucket,
  mode,
}: {
  client: S3Client;
  bucket: string;
  mode: 'GOVERNANCE' | 'COMPLIANCE';
}): ArchiveStore => {
  const current = async (key: string) => {
    try {
      return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      if ((e as { name?: string }).name === 'NotFound' || (e as { name?: string }).name === 'NoSuchKey') {
        throw new AppError('not_found', 'Archived object not found.');
      }
      throw e;
    }
  };
  const retention = async (key: string): Promise<ObjectRetention> => {
    const head = await current(key);
    let retained: { mode?: string; until?: Date } = { mode: head.ObjectLockMode, until: head.ObjectLockRetainUntilDate };
    try {
      const r = await client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: head.VersionId }));
      retained = { mode: r.Retention?.Mode, until: r.Retention?.RetainUntilDate };
    } catch {
      // moto: not implemented (see above); no retention on the object: NoSuchObjectLockConfiguration
    }
    let legalHold = head.ObjectLockLegalHoldStatus === 'ON';
    try {
      const h = await client.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: key, VersionId: head.VersionId }));
      legalHold = h.LegalHold?.Status === 'ON';
    } catch {
      // never set: S3 answers NoSuchObjectLockConfiguration
    }
    return {
      ...(retained.mode ? { mode: retained.mode as 'GOVERNANCE' | 'COMPLIANCE' } : {}),
      ...(retained.until ? { retainUntil: new Date(retained.until) } : {}),
      legalHold,
    };
  };
  return {
    retention,
    // One head (mode, date and legal hold, as `retention` falls back to) and at most one put: an envelope's
    // archive locks three objects, and the five calls each took were a completion's largest share of S3 calls.
    async lock(key, until) {
      const head = await current(key);
      const legalHold = head.ObjectLockLegalHoldStatus === 'ON';
      const retainUntil = head.ObjectLockRetainUntilDate ? new Date(head.ObjectLockRetainUntilDate) : undefined;
      if (retainUntil && retainUntil >= until) {
        return { ...(head.ObjectLockMode ? { mode: head.ObjectLockMode as 'GOVERNANCE' | 'COMPLIANCE' } : {}), retainUntil, legalHold };
      }
      await client.send(
        new PutObjectRetentionCommand({
          Bucket: bucket,
          Key: key,
          VersionId: head.VersionId,
          Retention: { Mode: mode, RetainUntilDate: until },
        }),
      );
      return { mode, retainUntil: until, legalHold };
    },
    async setLegalHold(key, on) {
      const head = await current(key);
      await client.send(
        new PutObjectLegalHoldCommand({ Bucket: bucket, Key: key, VersionId: head.VersionId, LegalHold: { Status: on ? 'ON' : 'OFF' } }),
      );
    },
    async deleteAllVersions(key) {
      const listed = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
      const versions = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].filter((v) => v.Key === key);
      for (const v of versions) {
        try {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: v.VersionId }));
        } catch (e) {
          if (isLockRefusal(e)) throw new AppError('locked', 'The object is under retention or legal hold.');
          throw e;
        }
      }
    },
    async keysUnder(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        keys.push(...(r.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async putJson(key, value) {
      await putNewObject(client, { Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json' });
    },
  };
};
