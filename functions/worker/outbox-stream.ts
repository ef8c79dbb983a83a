import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { composeAppDeps } from '../compose.js';
import { loadConfig } from '../config.js';
import { jsonLogger } from '../logger.js';
import { drainEnvelopeOutbox } from './effects.js';
import type { JobDeps } from './jobs.js';
import { type RepairResult, runRepairSweep } from './repair.js';

const logger = jsonLogger('kyso-outbox');

/** `TENANT#<t>` / `ENV#<e>` of an envelope item in a stream record, if it is one. */
const envelopeOf = (keys: Record<string, { S?: string }> | undefined): { tenantId: string; envelopeId: string } | undefined => {
  const pk = keys?.pk?.S ?? '';
  const sk = keys?.sk?.S ?? '';
  if (!pk.startsWith('TENANT#') || pk.includes('#ENV#') || !sk.startsWith('ENV#')) return undefined;
  return { tenantId: pk.slice('TENANT#'.length), envelopeId: sk.slice('ENV#'.length) };
};

/**
 * The outbox worker on AWS: the table's stream (envelope items, filtered in infra) fires when a
 * commit lands, and this drains what that envelope owes (functions/worker/effects.ts). A record
 * whose drain throws is reported as a batch item failure, so the stream retries from it; items
 * that fail inside the drain are postponed in the table and picked up by the repair sweep.
 */
export const createOutboxStreamHandler =
  (depsFor: () => JobDeps) =>
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const deps = depsFor();
    const seen = new Set<string>();
    const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const envelope = envelopeOf(record.dynamodb?.Keys as Record<string, { S?: string }> | undefined);
      if (!envelope) continue;
      const key = `${envelope.tenantId}\n${envelope.envelopeId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        await drainEnvelopeOutbox(deps, envelope.tenantId, envelope.envelopeId);
      } catch (e) {
        logger.warn('outbox drain failed, the stream will retry', { ...envelope, error: (e as Error).name });
        batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
        break; // the stream retries from the first failure: later records come again with it
      }
    }
    return { batchItemFailures };
  };

/** The repair sweep's schedule sends `{ "task": "outbox" }` to this same function (infra/constructs/outbox.ts). */
export interface RepairTask {
  readonly task: 'outbox';
}

const isRepairTask = (event: DynamoDBStreamEvent | RepairTask): event is RepairTask => (event as RepairTask).task === 'outbox';

/**
 * The outbox function's entry: stream batches, and the scheduled repair sweep. One function, so
 * only one role holds what performing effects needs (KMS Sign, S3, SES, SNS, SQS).
 */
export const createOutboxHandler = (depsFor: () => JobDeps) => {
  const stream = createOutboxStreamHandler(depsFor);
  return async (event: DynamoDBStreamEvent | RepairTask): Promise<DynamoDBBatchResponse | RepairResult> => {
    if (!isRepairTask(event)) return stream(event);
    const repaired = await runRepairSweep(depsFor());
    logger.info('outbox repair sweep done', { ...repaired });
    return repaired;
  };
};

let deps: JobDeps | undefined;
export const handler = createOutboxHandler(() => (deps ??= composeAppDeps(loadConfig(), { logger })));
