import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import type { PresignedUrls } from '../uploads/ports.js';
import { randomId } from '../util/bytes.js';
import { type EraseDeps, eraseEnvelope } from './erase-subject.js';
import { findSubject, type SubjectEnvelope } from './find-subject.js';
import { type DocumentLink, presentSubjectEnvelope, signedDocuments } from './present-subject.js';
import { subjectCommitment } from './subject.js';
import {
  type DataSubjectRequest,
  type DataSubjectStore,
  type EnvelopeErasure,
  REQUEST_LOG_CHAIN,
  type Requester,
  type RequestKind,
  type Subject,
} from './types.js';
import { acknowledgementDue } from './working-days.js';

export type RequestDeps = EnvelopeDeps & { readonly dataSubjects: DataSubjectStore };

interface Started {
  readonly id: string;
  readonly commitment: string;
  readonly receivedAt: Date;
}

const start = async (deps: RequestDeps, tenantId: string, subject: Subject): Promise<Started> => ({
  id: randomId(12),
  commitment: subjectCommitment(subject, await deps.dataSubjects.subjectKey(tenantId)),
  receivedAt: deps.clock.now(),
});

/**
 * Every request is recorded (who asked, when, what kind, the subject's commitment — never the
 * identifier — and the acknowledgement deadline) and appended to the tenant's hash-chained
 * request log; each envelope it concerned gets an audit event too (for erasure, in
 * eraseEnvelope). The request is answered as it is received, so it is acknowledged at once.
 */
const finish = async (
  deps: RequestDeps,
  tenantId: string,
  started: Started,
  input: { kind: RequestKind; subject: Subject; requestedBy: Requester; meta: RequestMeta; outcome: DataSubjectRequest['outcome'] },
): Promise<DataSubjectRequest> => {
  const acknowledgedAt = deps.clock.now();
  const due = acknowledgementDue(started.receivedAt);
  const request: DataSubjectRequest = {
    id: started.id,
    tenantId,
    kind: input.kind,
    receivedAt: started.receivedAt.toISOString(),
    requestedBy: input.requestedBy,
    subject: { kind: input.subject.kind, commitment: started.commitment },
    acknowledgementDue: due.toISOString(),
    acknowledgedAt: acknowledgedAt.toISOString(),
    acknowledgedInTime: acknowledgedAt <= due,
    outcome: input.outcome,
  };
  await deps.dataSubjects.putRequest(request);
  await deps.audit.append(tenantId, REQUEST_LOG_CHAIN, {
    at: request.acknowledgedAt,
    action: `data_subject.${input.kind}`,
    actor: { type: 'tenant', id: tenantId },
    ...input.meta,
    data: { requestId: request.id, subject: request.subject, requestedBy: request.requestedBy, outcome: request.outcome },
  });
  return request;
};

const auditEach = async (deps: RequestDeps, found: readonly SubjectEnvelope[], action: string, requestId: string, meta: RequestMeta) => {
  for (const f of found) {
    await deps.audit.append(f.envelope.tenantId, f.envelope.id, {
      at: deps.clock.now().toISOString(),
      action,
      actor: { type: 'tenant', id: f.envelope.tenantId },
      ...meta,
      data: { requestId, recipientIds: f.recipients.map((r) => r.id) },
    });
  }
};

interface Asked {
  readonly subject: Subject;
  readonly requestedBy: Requester;
  readonly meta: RequestMeta;
}

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

/**
 * POST /v1/data-subjects/export: the same, machine-readable, with a presigned link to every
 * document they signed. Synchronous: the answer carries links, not bytes, so it stays small
 * whatever the documents weigh (the asynchronous job for very large exports is not built).
 */
export const exportSubject = async (deps: RequestDeps & { readonly presigned: PresignedUrls }, tenantId: string, asked: Asked) => {
  const started = await start(deps, tenantId, asked.subject);
  const found = await findSubject(deps, tenantId, asked.subject, started.commitment);
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
    format: 'kyso-data-subject-export/v1' as const,
    generatedAt: request.acknowledgedAt,
    subject: asked.subject,
    request,
    envelopes,
  };
};

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
