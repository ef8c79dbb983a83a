import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { JOB_KIND_ATTRIBUTE } from '../aws/sqs-job-queue.js';
import { composeAppDeps } from '../compose.js';
import { loadConfig } from '../config.js';
import { createLogger, withLambdaContext } from '../logger.js';
import { type JobDeps, runJob } from './jobs.js';

const logger = createLogger('kyso-worker');

/** The job kind: the message attribute the producer set (functions/aws/sqs-job-queue.ts). */
const kindOf = (record: SQSRecord): string => record.messageAttributes?.[JOB_KIND_ATTRIBUTE]?.stringValue ?? '';

/**
 * Entry point of the queue worker: every record of the batch runs its job (functions/worker/jobs.ts)
 * concurrently; the ones that threw are reported as partial batch failures, so only they return
 * to the queue (and after maxReceiveCount go to the DLQ, whose alarm fires).
 */
export const createWorkerHandler =
  (depsFor: () => JobDeps) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const jobDeps = depsFor();
    const results = await Promise.allSettled(
      event.Records.map(async (record) => {
        const kind = kindOf(record);
        await runJob(kind, JSON.parse(record.body) as Record<string, unknown>, jobDeps);
      }),
    );
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    results.forEach((r, i) => {
      const record = event.Records[i] as SQSRecord;
      if (r.status === 'rejected') {
        const e = r.reason as Error;
        logger.warn('job failed, returned to its queue', {
          messageId: record.messageId,
          kind: kindOf(record),
          error: e.name,
          reason: e.message.slice(0, 200),
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    });
    return { batchItemFailures };
  };

let deps: JobDeps | undefined;
/** Deps built on the first batch and kept for the life of the container. */
export const handler = withLambdaContext(
  logger,
  createWorkerHandler(() => (deps ??= composeAppDeps(loadConfig(), { logger }))),
);
