import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { jsonLogger } from '../logger.js';

const logger = jsonLogger('kyso-worker');

/**
 * PLACEHOLDER entry point of the queue worker (webhooks, email, bulk jobs), so the stack can
 * wire queues, DLQs and alarms now. The workflow issue fills in the jobs. Until then it
 * processes nothing and says so: every message is reported as failed, so none is silently
 * dropped; after the queue's maxReceiveCount they land in the DLQ, whose alarm fires.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  logger.warn('worker not implemented: returning every message to its queue', { count: event.Records.length });
  return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
};
