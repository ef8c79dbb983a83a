import { runBulkChunk } from '../../shared/bulk/run-bulk-chunk.js';
import type { BulkChunkJob } from '../../shared/bulk/types.js';
import { runExportJob } from '../../shared/data-subjects/export-job.js';
import type { MailMessage } from '../../shared/envelope/ports.js';
import type { JobKind } from '../../shared/jobs/ports.js';
import { deliverRegistration, type RegistrationJob } from '../../shared/labour/deliver-registration.js';
import { deliverWebhook } from '../../shared/webhooks/deliver-webhook.js';
import type { DeliveryJob } from '../../shared/webhooks/publish-event.js';
import type { AppDeps } from '../api/context.js';
import { runInRequestScope } from '../request-scope.js';

/** What every job handler gets: the same deps the API is built from (composeAppDeps). */
export type JobDeps = AppDeps;

/**
 * A job handler. Resolve = done (the message is deleted); throw = not done (SQS redelivers it
 * after its visibility timeout, and after 5 receives moves it to the kind's DLQ). Handlers
 * must tolerate running twice for one message: SQS delivers at least once.
 */
export type JobHandler = (body: Record<string, unknown>, deps: JobDeps) => Promise<void>;

/**
 * The dispatch table: one handler per job kind, used by both the worker Lambda
 * (functions/worker/handler.ts) and the local poller of `npm start`
 * (functions/local/job-poller.ts). To add a kind: add it to JOB_KINDS (shared/jobs/ports.ts,
 * which also gives it a queue in infra and locally), then one line here.
 */
export const JOB_HANDLERS: Partial<Record<JobKind, JobHandler>> = {
  /** One attempt of one webhook delivery: { tenantId, deliveryId, attempt }. */
  webhooks: (body, deps) =>
    deliverWebhook(
      {
        webhooks: deps.webhooks,
        jobs: deps.jobs,
        clock: deps.clock,
        logger: deps.logger,
        backoffBaseMs: deps.webhookDelivery.backoffBaseMs,
        maxAttempts: deps.webhookDelivery.maxAttempts,
        ...(deps.outboundFetch ? { fetch: deps.outboundFetch } : {}),
      },
      body as unknown as DeliveryJob,
    ),
  /** One email: a MailMessage { to, subject, text, html }. (Mail is still sent synchronously by the API today.) */
  email: async (body, deps) => {
    await deps.mailer.send(body as unknown as MailMessage);
  },
  /** One chunk of a bulk send: { tenantId, jobId, chunk, rows } (shared/bulk/run-bulk-chunk.ts). */
  // In a scope of its own, like a request: what a row reads of its tenant (its name, its TSAs) is read once per chunk.
  bulk: (body, deps) => {
    const chunk = body as unknown as BulkChunkJob;
    return runInRequestScope(`bulk-${chunk.jobId}-${chunk.chunk}`, () => runBulkChunk(deps, chunk));
  },
  /** One delivery attempt of a labour contract's registration: { tenantId, envelopeId } (shared/labour/deliver-registration.ts). */
  labour: async (body, deps) => {
    await deliverRegistration(deps, body as unknown as RegistrationJob);
  },
  /** One large personal-data export: { tenantId, jobId } (shared/data-subjects/export-job.ts). */
  exports: (body, deps) => {
    if (!deps.dataSubjects || !deps.dataSubjectExports) throw new Error('this deployment does not run personal-data exports');
    return runExportJob(
      { ...deps, dataSubjects: deps.dataSubjects, exportArchives: deps.dataSubjectExports.archives },
      body as unknown as { tenantId: string; jobId: string },
    );
  },
};

export class UnknownJobKindError extends Error {
  constructor(kind: string) {
    super(`no handler for job kind "${kind}"`);
    this.name = 'UnknownJobKindError';
  }
}

export const runJob = async (kind: string, body: Record<string, unknown>, deps: JobDeps): Promise<void> => {
  const handler = JOB_HANDLERS[kind as JobKind];
  if (!handler) throw new UnknownJobKindError(kind);
  await handler(body, deps);
};
