/**
 * Asynchronous work goes through queues: webhook deliveries, emails, bulk-send jobs, labour
 * registrations, large personal-data exports. In AWS
 * each kind is an SQS queue (with a DLQ) drained by the worker Lambda
 * (functions/worker/handler.ts); locally `npm start` drains the same queues on moto in
 * process, with the same handlers (functions/worker/jobs.ts).
 */
export const JOB_KINDS = ['webhooks', 'email', 'bulk', 'labour', 'exports'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface JobQueue {
  /** Enqueues one job; `delaySeconds` (0–900) postpones its first delivery. */
  enqueue(kind: JobKind, body: Record<string, unknown>, options?: { delaySeconds?: number }): Promise<void>;
}
