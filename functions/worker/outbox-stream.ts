import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { runRetentionSweep } from '../../shared/retention/renew-timestamps.js';
import { composeAppDeps } from '../compose.js';
import { loadConfig } from '../config.js';
import { createLogger, withLambdaContext } from '../logger.js';
import { drainEnvelopeOutbox } from './effects.js';
import type { JobDeps } from './jobs.js';
import { type RepairResult, runRepairSweep } from './repair.js';

type RetentionResult = Awaited<ReturnType<typeof runRetentionSweep>>;

const logger = createLogger('kyso-outbox');

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

/**
 * Scheduled tasks this same function runs (infra/constructs/outbox.ts): `outbox`, the repair
 * sweep; `retention` (issue 17), unfinished archives and document-timestamp renewals, which need
 * the same rights as effects (KMS Sign for the timestamp, S3 with Object Lock).
 */
export interface RepairTask {
  readonly task: 'outbox' | 'retention';
}

const isRepairTask = (event: DynamoDBStreamEvent | RepairTask): event is RepairTask =>
  (event as RepairTask).task === 'outbox' || (event as RepairTask).task === 'retention';

/**
 * The outbox function's entry: stream batches, and the scheduled repair sweep. One function, so
 * only one role holds what performing effects needs (KMS Sign, S3, SES, SNS, SQS).
 */
export const createOutboxHandler = (depsFor: () => JobDeps) => {
  const stream = createOutboxStreamHandler(depsFor);
  return async (event: DynamoDBStreamEvent | RepairTask): Promise<DynamoDBBatchResponse | RepairResult | RetentionResult> => {
    if (!isRepairTask(event)) return stream(event);
    if (event.task === 'retention') {
      const swept = await runRetentionSweep(depsFor());
      // The RetentionSweepFailed alarm counts `failed` (infra/constructs/alarms.ts).
      logger.info('retention sweep done', { task: 'retention', ...swept });
      return swept;
    }
    const repaired = await runRepairSweep(depsFor());
    logger.info('outbox repair sweep done', { ...repaired });
    return repaired;
  };
};

let deps: JobDeps | undefined;
export const handler = withLambdaContext(
  logger,
  createOutboxHandler(() => (deps ??= composeAppDeps(loadConfig(), { logger }))),
);
