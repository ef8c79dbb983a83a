import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import { randomId } from '../util/bytes.js';
import type { SubjectMatch } from './find-subject.js';
import { subjectCommitment } from './subject.js';
import {
  type DataSubjectRequest,
  type DataSubjectStore,
  REQUEST_LOG_CHAIN,
  type Requester,
  type RequestKind,
  type Subject,
} from './types.js';
import { acknowledgementDue } from './working-days.js';

export type RequestDeps = EnvelopeDeps & { readonly dataSubjects: DataSubjectStore };

export interface Started {
  readonly id: string;
  readonly commitment: string;
  readonly receivedAt: Date;
}

export const start = async (deps: RequestDeps, tenantId: string, subject: Subject): Promise<Started> => ({
  id: randomId(12),
  commitment: subjectCommitment(subject, await deps.dataSubjects.subjectKey(tenantId)),
  receivedAt: deps.clock.now(),
});

/** The record of a request answered (acknowledged) now. */
export const buildRequest = (
  deps: Pick<RequestDeps, 'clock'>,
  tenantId: string,
  started: Started,
  input: { kind: RequestKind; subject: Subject; requestedBy: Requester; outcome: DataSubjectRequest['outcome'] },
  extra: Pick<DataSubjectRequest, 'export'> = {},
): DataSubjectRequest => {
  const acknowledgedAt = deps.clock.now();
  const due = acknowledgementDue(started.receivedAt);
  return {
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
    ...extra,
  };
};

/**
 * Every request is recorded (who asked, when, what kind, the subject's commitment — never the
 * identifier — and the acknowledgement deadline) and appended to the tenant's hash-chained
 * request log; each envelope it concerned gets an audit event too (for erasure, in
 * eraseEnvelope). Idempotent per request id (a retried export job start records it once).
 */
export const recordRequest = async (deps: RequestDeps, request: DataSubjectRequest, meta: RequestMeta): Promise<DataSubjectRequest> => {
  await deps.dataSubjects.putRequest(request);
  await deps.audit.append(
    request.tenantId,
    REQUEST_LOG_CHAIN,
    {
      at: request.acknowledgedAt,
      action: `data_subject.${request.kind}`,
      actor: { type: 'tenant', id: request.tenantId },
      ...meta,
      data: {
        requestId: request.id,
        subject: request.subject,
        requestedBy: request.requestedBy,
        outcome: request.outcome,
        ...(request.export ? { exportJobId: request.export.jobId } : {}),
      },
    },
    { effectId: `dsr.${request.id}` },
  );
  return request;
};

export const finish = (
  deps: RequestDeps,
  tenantId: string,
  started: Started,
  input: { kind: RequestKind; subject: Subject; requestedBy: Requester; meta: RequestMeta; outcome: DataSubjectRequest['outcome'] },
): Promise<DataSubjectRequest> => recordRequest(deps, buildRequest(deps, tenantId, started, input), input.meta);

/** One audit event per envelope the request concerned; with `effectId`, once however often it runs (an export job retried). */
export const auditEach = async (
  deps: RequestDeps,
  found: readonly SubjectMatch[],
  action: string,
  requestId: string,
  meta: RequestMeta,
  effectId?: string,
) => {
  for (const f of found) {
    await deps.audit.append(
      f.envelope.tenantId,
      f.envelope.id,
      {
        at: deps.clock.now().toISOString(),
        action,
        actor: { type: 'tenant', id: f.envelope.tenantId },
        ...meta,
        data: { requestId, recipientIds: f.recipients.map((r) => r.id) },
      },
      effectId ? { effectId } : undefined,
    );
  }
};

export interface Asked {
  readonly subject: Subject;
  readonly requestedBy: Requester;
  readonly meta: RequestMeta;
}
