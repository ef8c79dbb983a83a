import { strToU8, type Zippable, zipSync } from 'fflate';
import type { DocumentStore } from '../envelope/ports.js';
import type { JobQueue } from '../jobs/ports.js';
import type { PresignedUrls } from '../uploads/ports.js';
import { randomId, sha256Hex } from '../util/bytes.js';
import type { ExportSize } from './export-size.js';
import { describeMatches, type FindDeps, matchSubject } from './find-subject.js';
import { type ArchivedDocument, presentSubjectEnvelope, signedDocuments } from './present-subject.js';
import { type Asked, auditEach, buildRequest, type RequestDeps, recordRequest, type Started } from './record-request.js';
import type { ExportArchiveStore, ExportJob, ExportJobOutcome } from './types.js';

/**
 * Asynchronous personal-data exports (issue 17): a request whose export is large
 * (export-size.ts) is answered 202 with a job; the job runs on the `exports` queue (the JobQueue
 * port: SQS + the worker's handler on AWS, the in-process poller under `npm start`), writes one
 * ZIP — `export.json` in the synchronous answer's format, each document they signed as
 * `documents/<envelope>/<document>.pdf` — under the tenant's prefix, and
 * `GET /v1/data-subjects/exports/{id}` hands out a short link to it.
 */

/** Days an archive is kept: the bucket's lifecycle rule for EXPORT_ARCHIVE_TAG deletes it (and its old versions) after that. */
export const EXPORT_KEEP_DAYS = 3;
/** The object tag the lifecycle rule selects exports by (a prefix cannot: they sit under each tenant's own prefix). */
export const EXPORT_ARCHIVE_TAG = { key: 'kyso-personal-export', value: 'true' } as const;
/** How long a download link lives. */
export const EXPORT_DOWNLOAD_SECONDS = 300;
/** Runs of one job before it is recorded as failed (a transient failure throws and the queue brings it back). */
export const EXPORT_MAX_ATTEMPTS = 3;
/** The archive is assembled in memory: its documents may weigh at most this (the export function has 1 GB). */
export const EXPORT_MAX_BYTES = 400 * 1024 * 1024;

export const exportArchiveKey = (tenantId: string, jobId: string) => `tenants/${tenantId}/data-subject-exports/${jobId}.zip`;

/** The job id: derived from the Idempotency-Key when there is one (the same key → the same job, even after the key's record expired). */
export const exportJobId = (tenantId: string, idempotencyKey?: string): string =>
  idempotencyKey ? sha256Hex(`kyso-data-subject-export\n${tenantId}\n${idempotencyKey}`).slice(0, 24) : randomId(12);

/** Starts (or finds again) the job; the request is recorded at once — acknowledged with the 202 — and listed with the job's status. */
export const startExportJob = async (
  deps: RequestDeps & { readonly jobs: JobQueue },
  tenantId: string,
  started: Started,
  asked: Asked & { readonly idempotencyKey?: string },
  size: ExportSize,
): Promise<ExportJob> => {
  const id = exportJobId(tenantId, asked.idempotencyKey);
  const outcome = { envelopes: size.envelopes, erased: 0, kept: size.envelopes };
  const request = buildRequest(
    deps,
    tenantId,
    { ...started, id },
    { kind: 'export', subject: asked.subject, requestedBy: asked.requestedBy, outcome },
    { export: { jobId: id, status: 'pending' } },
  );
  const job = await deps.dataSubjects.createExportJob({
    id,
    tenantId,
    status: 'pending',
    request,
    size,
    subject: asked.subject,
    meta: asked.meta,
    createdAt: request.receivedAt,
  });
  if (job.status === 'pending') {
    // Also when the job already existed: a first try that died between its writes is finished here (both steps are idempotent).
    await recordRequest(deps, job.request, job.meta);
    await deps.jobs.enqueue('exports', { tenantId, jobId: id });
  }
  return job;
};

/** A failure that retrying cannot fix: the job is recorded as failed with this code. */
class ExportFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExportFailure';
  }
}

export type ExportRunDeps = RequestDeps &
  FindDeps & {
    readonly documents: DocumentStore;
    readonly exportArchives: ExportArchiveStore;
  };

const assemble = async (deps: ExportRunDeps, job: ExportJob & { subject: NonNullable<ExportJob['subject']> }) => {
  const matched = await matchSubject(deps, job.tenantId, job.subject, job.request.subject.commitment);
  const found = await describeMatches(deps, job.tenantId, job.subject, matched);
  const files: Zippable = {};
  let total = 0;
  const envelopes = [];
  for (const f of found) {
    const documents: ArchivedDocument[] = [];
    for (const d of signedDocuments(f)) {
      const bytes = await deps.documents.get(d.key);
      total += bytes.length;
      if (total > EXPORT_MAX_BYTES) throw new ExportFailure('export_too_large', `The documents weigh more than ${EXPORT_MAX_BYTES} bytes.`);
      if (sha256Hex(bytes) !== d.sha256)
        throw new ExportFailure('document_changed', `Document ${d.id} does not match its recorded SHA-256.`);
      const path = `documents/${f.envelope.id}/${d.id}.pdf`;
      // PDFs are compressed already: stored as they are.
      files[path] = [bytes, { level: 0 }];
      documents.push({ id: d.id, name: d.name, sha256: d.sha256, path });
    }
    envelopes.push(presentSubjectEnvelope(f, documents));
  }
  const { export: _job, ...request } = job.request;
  const body = {
    format: 'kyso-data-subject-export/v1' as const,
    generatedAt: deps.clock.now().toISOString(),
    subject: job.subject,
    request,
    envelopes,
  };
  files['export.json'] = strToU8(JSON.stringify(body, null, 2));
  return { zip: zipSync(files), found };
};

/**
 * The `exports` job: { tenantId, jobId }. At least once is safe: a finished job is left alone,
 * the archive's key is the job's (a second run overwrites the same object), the per-envelope
 * `data_subject.exported` events carry the job as their effect id, and the outcome is written
 * only while the job is pending. A transient failure throws (the queue retries); after
 * EXPORT_MAX_ATTEMPTS runs, or for a failure retrying cannot fix, the job is `failed`.
 */
export const runExportJob = async (deps: ExportRunDeps, ref: { tenantId: string; jobId: string }): Promise<void> => {
  const job = await deps.dataSubjects.getExportJob(ref.tenantId, ref.jobId);
  if (!job) return; // forgotten (its TTL passed): nothing to do
  if (job.status !== 'pending') {
    await deps.dataSubjects.setRequestExportStatus(job.request, job.status);
    return;
  }
  const attempt = await deps.dataSubjects.startExportAttempt(job.tenantId, job.id);
  if (attempt === undefined) return;
  const fail = async (code: string, message: string) => {
    await deps.dataSubjects.finishExportJob(job.tenantId, job.id, { status: 'failed', error: { code, message } });
    await deps.dataSubjects.setRequestExportStatus(job.request, 'failed');
  };
  const { subject } = job;
  if (!subject) return fail('export_failed', 'The job has no subject to export.');
  if (attempt > EXPORT_MAX_ATTEMPTS) return fail('export_failed', `The export failed ${EXPORT_MAX_ATTEMPTS} times.`);
  let built: Awaited<ReturnType<typeof assemble>>;
  try {
    built = await assemble(deps, { ...job, subject });
  } catch (e) {
    if (e instanceof ExportFailure) return fail(e.code, e.message);
    throw e;
  }
  const key = exportArchiveKey(job.tenantId, job.id);
  await deps.exportArchives.put(key, built.zip);
  await auditEach(deps, built.found, 'data_subject.exported', job.request.id, job.meta, `export.${job.id}`);
  const readyAt = deps.clock.now();
  const outcome: ExportJobOutcome = {
    status: 'ready',
    key,
    bytes: built.zip.length,
    sha256: sha256Hex(built.zip),
    readyAt: readyAt.toISOString(),
    expiresAt: new Date(readyAt.getTime() + EXPORT_KEEP_DAYS * 86_400_000).toISOString(),
  };
  await deps.dataSubjects.finishExportJob(job.tenantId, job.id, outcome);
  await deps.dataSubjects.setRequestExportStatus(job.request, 'ready');
};

/** GET /v1/data-subjects/exports/{id}: where the job stands; when ready (and not yet expired), a short link to the archive. */
export const presentExportJob = async (deps: Pick<RequestDeps, 'clock'> & { readonly presigned: PresignedUrls }, job: ExportJob) => {
  const now = deps.clock.now();
  const expired = job.status === 'ready' && !!job.expiresAt && Date.parse(job.expiresAt) <= now.getTime();
  const ready = job.status === 'ready' && !expired && job.key;
  return {
    id: job.id,
    status: expired ? ('expired' as const) : job.status,
    requestId: job.request.id,
    requestedAt: job.request.receivedAt,
    requestedBy: job.request.requestedBy,
    size: job.size,
    ...(job.readyAt ? { readyAt: job.readyAt } : {}),
    ...(job.expiresAt ? { expiresAt: job.expiresAt } : {}),
    ...(job.bytes !== undefined ? { bytes: job.bytes } : {}),
    ...(job.sha256 ? { sha256: job.sha256 } : {}),
    ...(ready
      ? {
          download: {
            url: await deps.presigned.presignGet(
              job.key as string,
              `kyso-export-${job.id}.zip`,
              EXPORT_DOWNLOAD_SECONDS,
              'application/zip',
            ),
            expiresAt: new Date(now.getTime() + EXPORT_DOWNLOAD_SECONDS * 1000).toISOString(),
          },
        }
      : {}),
    ...(job.error ? { error: job.error } : {}),
  };
};
