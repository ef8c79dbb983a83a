import { DeleteTableCommand, DescribeTableCommand, type DynamoDBClient, RestoreTableToPointInTimeCommand } from '@aws-sdk/client-dynamodb';
import { GetPublicKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from '../functions/aws/dynamo-document-client.js';
import { dynamoAuditRepository } from '../functions/aws/dynamo-repositories.js';
import { verifyChain } from '../shared/audit/chain.js';
import { identityImagePrefix } from '../shared/data-subjects/find-subject.js';
import { REQUEST_LOG_CHAIN } from '../shared/data-subjects/types.js';
import { verifyAuditTrail } from '../shared/envelope/audit-trail-signature.js';
import type { EnvelopeDeps } from '../shared/envelope/deps.js';
import type { Envelope } from '../shared/envelope/types.js';
import { sha256Hex } from '../shared/util/bytes.js';

/**
 * The restore drill (issue 17): restore the state table to a point in time and the documents
 * bucket's object versions as they were at that time into drill targets, then check the
 * restored data — every envelope's audit chain and signed heads (the `/audit/verify` check),
 * the tenants' personal-data request logs, and every document's SHA-256 against the envelope's
 * record — and report. Nothing is written to the sources.
 *
 * Table: `RestoreTableToPointInTime` (point-in-time recovery is on in the stack,
 * infra/constructs/state-table.ts). moto 5.2 implements the call but copies the table as it is
 * now, whatever the time; on AWS the time is honoured (to the second, within the last 35 days).
 * Bucket: the newest version of each key whose LastModified is at or before the time (a delete
 * marker there means the key did not exist), copied with CopyObject ?versionId — the same on
 * S3 and moto. Keys under `tenants/<t>/` (or only one tenant's, with `tenantId`), and the identity
 * images under `identity/<t>/` (same bucket: ID card sides and selfies, kept 30–365 days by tag),
 * whose SHA-256 must match the evidence recorded on the restored recipient.
 */
export interface DrillOptions {
  readonly dynamo: DynamoDBClient;
  readonly doc: DocumentClient;
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly region: string;
  readonly table: string;
  readonly bucket: string;
  readonly at: Date;
  readonly targetTable: string;
  readonly targetBucket: string;
  /** Only this tenant's objects are copied and checked (the table restore is always whole). */
  readonly tenantId?: string;
  /** Where the platform keys' aliases live (KYSO_KEY_ALIAS_PREFIX): the head signatures must be by `<prefix>/platform-signing`. */
  readonly keyAliasPrefix: string;
  /** How long to wait for the restored table (AWS: tens of minutes for large tables). */
  readonly waitMs?: number;
  readonly pollMs?: number;
  /** Delete the drill targets afterwards. */
  readonly cleanup?: boolean;
  readonly log?: (line: string) => void;
}

export interface DrillProblem {
  readonly kind: 'audit' | 'document-missing' | 'document-hash' | 'archive-missing' | 'request-log' | 'identity-image-hash';
  readonly tenantId: string;
  readonly envelopeId?: string;
  readonly key?: string;
  readonly detail: string;
}

export interface DrillReport {
  readonly ok: boolean;
  readonly at: string;
  readonly table: { readonly source: string; readonly target: string; readonly restoreMs: number };
  readonly bucket: {
    readonly source: string;
    readonly target: string;
    readonly objects: number;
    readonly notYetThere: number;
    readonly copyMs: number;
  };
  readonly checked: {
    readonly envelopes: number;
    readonly auditEvents: number;
    readonly documents: number;
    readonly archivedObjects: number;
    readonly requestLogs: number;
    /** Identity images whose SHA-256 matched the evidence (front, back, selfie of the proving attempt). */
    readonly identityImages: number;
    /** Recipients with image hashes in their evidence whose images are gone (expired by their tier, or erased): not a problem. */
    readonly identityImagesGone: number;
  };
  readonly problems: readonly DrillProblem[];
  readonly checkMs: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const restoreTable = async (o: DrillOptions) => {
  await o.dynamo.send(
    new RestoreTableToPointInTimeCommand({ SourceTableName: o.table, TargetTableName: o.targetTable, RestoreDateTime: o.at }),
  );
  const until = Date.now() + (o.waitMs ?? 3_600_000);
  for (;;) {
    const t = await o.dynamo.send(new DescribeTableCommand({ TableName: o.targetTable }));
    if (t.Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > until) throw new Error(`restored table ${o.targetTable} not ACTIVE in time (${t.Table?.TableStatus})`);
    await pause(o.pollMs ?? 10_000);
  }
};

/** The version of every key as it was at `at`: newest LastModified ≤ at; a delete marker there = absent. */
const versionsAt = async (o: DrillOptions, prefix: string) => {
  const chosen = new Map<string, { versionId?: string; modified: number; deleted: boolean }>();
  let notYetThere = 0;
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const r = await o.s3.send(
      new ListObjectVersionsCommand({ Bucket: o.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
    );
    const all = [
      ...(r.Versions ?? []).map((v) => ({ ...v, deleted: false })),
      ...(r.DeleteMarkers ?? []).map((v) => ({ ...v, deleted: true })),
    ];
    for (const v of all) {
      if (!v.Key || !v.LastModified) continue;
      const modified = v.LastModified.getTime();
      if (modified > o.at.getTime()) {
        if (!v.deleted) notYetThere++;
        continue;
      }
      const known = chosen.get(v.Key);
      if (!known || modified > known.modified) chosen.set(v.Key, { versionId: v.VersionId, modified, deleted: v.deleted });
    }
    keyMarker = r.IsTruncated ? r.NextKeyMarker : undefined;
    versionMarker = r.IsTruncated ? r.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return { keys: [...chosen].filter(([, v]) => !v.deleted), notYetThere };
};

const restoreBucket = async (o: DrillOptions) => {
  await o.s3.send(
    new CreateBucketCommand({
      Bucket: o.targetBucket,
      ...(o.region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: o.region as never } } : {}),
    }),
  );
  const prefixes = o.tenantId ? [`tenants/${o.tenantId}/`, `identity/${o.tenantId}/`] : ['tenants/', 'identity/'];
  let objects = 0;
  let notYetThere = 0;
  for (const prefix of prefixes) {
    const at = await versionsAt(o, prefix);
    notYetThere += at.notYetThere;
    for (const [key, v] of at.keys) {
      await o.s3.send(
        new CopyObjectCommand({
          Bucket: o.targetBucket,
          Key: key,
          CopySource: `${o.bucket}/${encodeURIComponent(key)}${v.versionId ? `?versionId=${encodeURIComponent(v.versionId)}` : ''}`,
        }),
      );
      objects++;
    }
  }
  return { objects, notYetThere };
};

const getBytes = async (o: DrillOptions, key: string): Promise<Uint8Array | undefined> => {
  try {
    const r = await o.s3.send(new GetObjectCommand({ Bucket: o.targetBucket, Key: key }));
    return await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey' || (e as { name?: string }).name === 'NotFound') return undefined;
    throw e;
  }
};

/** The restored envelopes (one tenant's by a query, all by a scan of the restored table). */
const restoredEnvelopes = async (o: DrillOptions): Promise<Envelope[]> => {
  const out: Envelope[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await o.doc.send(
      o.tenantId
        ? new QueryCommand({
            TableName: o.targetTable,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :env)',
            ExpressionAttributeValues: { ':pk': `TENANT#${o.tenantId}`, ':env': 'ENV#' },
            ExclusiveStartKey: start,
          })
        : new ScanCommand({
            TableName: o.targetTable,
            FilterExpression: 'begins_with(pk, :t) AND begins_with(sk, :env)',
            ExpressionAttributeValues: { ':t': 'TENANT#', ':env': 'ENV#' },
            ExclusiveStartKey: start,
          }),
    );
    for (const item of r.Items ?? []) {
      const { pk: _pk, sk: _sk, ...envelope } = item;
      out.push(envelope as Envelope);
    }
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
};

const restoredKeys = async (o: DrillOptions, prefix: string): Promise<string[]> => {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await o.s3.send(new ListObjectsV2Command({ Bucket: o.targetBucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(r.Contents ?? []).flatMap((c) => (c.Key ? [c.Key] : [])));
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys;
};

/**
 * A recipient's identity images (`identity/<t>/<e>/<r>/<attempt>/front|back|selfie`): the attempt that
 * proved their identity must be there byte for byte — its three SHA-256 are in the evidence (and in the
 * hash-chained `recipient.identity_verified` event). Failed attempts' images carry no recorded hash: copied,
 * not judged. No images at all is expected after the tenant's keeping period or an erasure.
 */
const checkIdentityImages = async (o: DrillOptions, envelope: Envelope) => {
  const problems: DrillProblem[] = [];
  let matched = 0;
  let gone = 0;
  for (const r of envelope.recipients) {
    const expected = r.identity?.evidence?.imageSha256;
    if (!expected?.length) continue;
    const keys = await restoredKeys(o, identityImagePrefix(envelope.tenantId, envelope.id, r.id));
    if (!keys.length) {
      gone++;
      continue;
    }
    const attempts = [...new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/'))))];
    let found = false;
    for (const attempt of attempts) {
      const hashes = [];
      for (const side of ['front', 'back', 'selfie']) {
        const bytes = await getBytes(o, `${attempt}/${side}`);
        hashes.push(bytes ? sha256Hex(bytes) : '');
      }
      if (hashes.join() === expected.join()) found = true;
    }
    if (found) matched += expected.length;
    else
      problems.push({
        kind: 'identity-image-hash',
        tenantId: envelope.tenantId,
        envelopeId: envelope.id,
        key: identityImagePrefix(envelope.tenantId, envelope.id, r.id),
        detail: `recipient ${r.id}: no restored attempt's images match the SHA-256 in the identity evidence`,
      });
  }
  return { problems, matched, gone };
};

const checkRestored = async (o: DrillOptions) => {
  const audit = dynamoAuditRepository({ client: o.doc, tableName: o.targetTable });
  const key = await o.kms.send(new GetPublicKeyCommand({ KeyId: `${o.keyAliasPrefix}/platform-signing` }));
  const platformKey = new Uint8Array(key.PublicKey ?? new Uint8Array());
  const deps = { audit, pki: async () => ({ auditSigner: { publicKey: async () => platformKey } }) } as unknown as EnvelopeDeps;
  const problems: DrillProblem[] = [];
  const checked = {
    envelopes: 0,
    auditEvents: 0,
    documents: 0,
    archivedObjects: 0,
    requestLogs: 0,
    identityImages: 0,
    identityImagesGone: 0,
  };
  const envelopes = await restoredEnvelopes(o);
  for (const envelope of envelopes) {
    const where = { tenantId: envelope.tenantId, envelopeId: envelope.id };
    checked.envelopes++;
    const v = await verifyAuditTrail(deps, envelope);
    checked.auditEvents += v.events;
    for (const p of v.problems) problems.push({ kind: 'audit', ...where, detail: p });
    // Documents a personal-data erasure deleted (never-completed envelopes only) are meant to be gone.
    const erasedDocuments = !!envelope.erasure && envelope.status !== 'completed';
    for (const d of erasedDocuments ? [] : envelope.documents) {
      checked.documents++;
      const bytes = await getBytes(o, d.key);
      if (!bytes) problems.push({ kind: 'document-missing', ...where, key: d.key, detail: `document ${d.id} not in the restored bucket` });
      else if (sha256Hex(bytes) !== d.sha256)
        problems.push({
          kind: 'document-hash',
          ...where,
          key: d.key,
          detail: `document ${d.id}: SHA-256 ${sha256Hex(bytes)} ≠ recorded ${d.sha256}`,
        });
    }
    for (const k of envelope.retention?.lockedKeys ?? []) {
      if (envelope.documents.some((d) => d.key === k)) continue;
      checked.archivedObjects++;
      if (!(await getBytes(o, k)))
        problems.push({ kind: 'archive-missing', ...where, key: k, detail: 'archived object not in the restored bucket' });
    }
    const images = await checkIdentityImages(o, envelope);
    checked.identityImages += images.matched;
    checked.identityImagesGone += images.gone;
    problems.push(...images.problems);
  }
  for (const tenantId of new Set(envelopes.map((e) => e.tenantId))) {
    const log = await audit.list(tenantId, REQUEST_LOG_CHAIN);
    if (!log.length) continue;
    checked.requestLogs++;
    const chain = verifyChain(log);
    if (!chain.ok)
      problems.push({ kind: 'request-log', tenantId, detail: `the personal-data request log breaks at event ${chain.brokenAt}` });
  }
  return { checked, problems };
};

const removeTargets = async (o: DrillOptions) => {
  await o.dynamo.send(new DeleteTableCommand({ TableName: o.targetTable })).catch(() => undefined);
  let token: string | undefined;
  do {
    const r = await o.s3.send(new ListObjectsV2Command({ Bucket: o.targetBucket, ContinuationToken: token }));
    for (const obj of r.Contents ?? []) await o.s3.send(new DeleteObjectCommand({ Bucket: o.targetBucket, Key: obj.Key }));
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  await o.s3.send(new DeleteBucketCommand({ Bucket: o.targetBucket }));
};

export const runRestoreDrill = async (o: DrillOptions): Promise<DrillReport> => {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  log(`restoring table ${o.table} at ${o.at.toISOString()} into ${o.targetTable}`);
  await restoreTable(o);
  const t1 = Date.now();
  log(`copying object versions of ${o.bucket} as of ${o.at.toISOString()} into ${o.targetBucket}`);
  const copied = await restoreBucket(o);
  const t2 = Date.now();
  log(`checking audit chains, document hashes and identity images (${copied.objects} objects)`);
  try {
    const { checked, problems } = await checkRestored(o);
    return {
      ok: problems.length === 0,
      at: o.at.toISOString(),
      table: { source: o.table, target: o.targetTable, restoreMs: t1 - t0 },
      bucket: { source: o.bucket, target: o.targetBucket, ...copied, copyMs: t2 - t1 },
      checked,
      problems,
      checkMs: Date.now() - t2,
    };
  } finally {
    if (o.cleanup) await removeTargets(o);
  }
};
