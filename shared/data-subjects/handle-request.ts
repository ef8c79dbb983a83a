import type { JobQueue } from '../jobs/ports.js';
import type { PresignedUrls } from '../uploads/ports.js';
import { type EraseDeps, eraseEnvelope } from './erase-subject.js';
import { startExportJob } from './export-job.js';
import { type ExportLimits, exportSize, isLargeExport } from './export-size.js';
import { describeMatches, findSubject, matchSubject } from './find-subject.js';
import { type DocumentLink, type PresentedSubjectEnvelope, presentSubjectEnvelope, signedDocuments } from './present-subject.js';
import { type Asked, auditEach, finish, type RequestDeps, start } from './record-request.js';
import type { DataSubjectRequest, EnvelopeErasure, ExportJob } from './types.js';

export type { RequestDeps } from './record-request.js';

/** GET /v1/data-subjects: everything held about the person. */
export const accessSubject = async (deps: RequestDeps, tenantId: string, asked: Asked) => {
  const started = await start(deps, tenantId, asked.subject);
  const found = await findSubject(deps, tenantId, asked.subject, started.commitment);
  await auditEach(deps, found, 'data_subject.accessed', started.id, asked.meta);
  const outcome = { envelopes: found.length, erased: 0, kept: found.length };
  const request = await finish(deps, tenantId, started, { kind: 'access', ...asked, outcome });
  return { request, envelopes: found.map((f) => presentSubjectEnvelope(f)) };
};

/** How long export links live. */
export const EXPORT_LINK_SECONDS = 3600;

export type ExportDeps = RequestDeps & { readonly presigned: PresignedUrls; readonly jobs: JobQueue };

/**
 * POST /v1/data-subjects/export: the same, machine-readable, with the documents they signed.
 * Its size (envelopes, signed documents) is judged first, from the envelope items alone. A small
 * export is answered at once, with a presigned link (1 hour) per document — links, not bytes, so
 * the answer stays small. Over `limits` it becomes a job (export-job.ts): the answer is its id,
 * and the job writes one ZIP (the same JSON + the PDFs) that is downloaded through a short link.
 */
export const exportSubject = async (
  deps: ExportDeps,
  tenantId: string,
  asked: Asked & { readonly limits: ExportLimits; readonly idempotencyKey?: string },
): Promise<{ readonly job: ExportJob } | { readonly job?: undefined; readonly export: SyncExport }> => {
  const started = await start(deps, tenantId, asked.subject);
  const matched = await matchSubject(deps, tenantId, asked.subject, started.commitment);
  const size = exportSize(matched);
  if (isLargeExport(size, asked.limits)) return { job: await startExportJob(deps, tenantId, started, asked, size) };
  const found = await describeMatches(deps, tenantId, asked.subject, matched);
  const expiresAt = new Date(deps.clock.now().getTime() + EXPORT_LINK_SECONDS * 1000).toISOString();
  const envelopes = [];
  for (const f of found) {
    const links: DocumentLink[] = [];
    for (const d of signedDocuments(f)) {
      links.push({
        id: d.id,
        name: d.name,
        sha256: d.sha256,
        url: await deps.presigned.presignGet(d.key, d.name, EXPORT_LINK_SECONDS),
        expiresAt,
      });
    }
    envelopes.push(presentSubjectEnvelope(f, links));
  }
  await auditEach(deps, found, 'data_subject.exported', started.id, asked.meta);
  const outcome = { envelopes: found.length, erased: 0, kept: found.length };
  const request = await finish(deps, tenantId, started, { kind: 'export', ...asked, outcome });
  return {
    export: {
      format: 'kyso-data-subject-export/v1' as const,
      generatedAt: request.acknowledgedAt,
      subject: asked.subject,
      request,
      envelopes,
    },
  };
};

export interface SyncExport {
  readonly format: 'kyso-data-subject-export/v1';
  readonly generatedAt: string;
  readonly subject: Asked['subject'];
  readonly request: DataSubjectRequest;
  readonly envelopes: PresentedSubjectEnvelope[];
}

/** POST /v1/data-subjects/erase: erases what need not be kept, and says what was kept and why (erase-subject.ts). */
export const eraseSubject = async (
  deps: RequestDeps & { readonly archive: EraseDeps['archive'] },
  tenantId: string,
  asked: Asked,
): Promise<{ request: DataSubjectRequest; envelopes: EnvelopeErasure[] }> => {
  const started = await start(deps, tenantId, asked.subject);
  const found = await findSubject(deps, tenantId, asked.subject, started.commitment);
  const tenant = await deps.tenants.get(tenantId);
  const envelopes: EnvelopeErasure[] = [];
  for (const f of found) envelopes.push(await eraseEnvelope(deps, f, started, asked.meta, tenant));
  const erased = envelopes.filter((e) => e.action === 'erased').length;
  const outcome = { envelopes: envelopes.length, erased, kept: envelopes.length - erased };
  const request = await finish(deps, tenantId, started, { kind: 'erase', ...asked, outcome });
  return { request, envelopes };
};
