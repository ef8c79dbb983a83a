import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JobKind, JobQueue } from '../../shared/jobs/ports.js';

/** SQS accepts DelaySeconds 0–900; longer waits are chained by the job itself (see shared/webhooks/backoff.ts). */
export const MAX_DELAY_SECONDS = 900;

/** The message attribute naming the job kind, so one worker can serve every queue. */
export const JOB_KIND_ATTRIBUTE = 'kind';

/**
 * JobQueue on SQS: one queue per kind (URLs from config: KYSO_QUEUE_<KIND>_URL, or the local
 * bootstrap). The body is the job's JSON; the kind travels as a message attribute too.
 */
export const sqsJobQueue = ({ client, queueUrls }: { client: SQSClient; queueUrls: Partial<Record<JobKind, string>> }): JobQueue => ({
  async enqueue(kind, body, options = {}) {
    const url = queueUrls[kind];
    if (!url) throw new Error(`no queue URL configured for job kind "${kind}" (KYSO_QUEUE_${kind.toUpperCase()}_URL)`);
    const delay = Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(options.delaySeconds ?? 0)));
    await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify(body),
        MessageAttributes: { [JOB_KIND_ATTRIBUTE]: { DataType: 'String', StringValue: kind } },
        ...(delay > 0 ? { DelaySeconds: delay } : {}),
      }),
    );
  },
});
