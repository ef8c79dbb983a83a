import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { composeAppDeps } from '../compose.js';
import { loadConfig } from '../config.js';
import { jsonLogger } from '../logger.js';
import { drainEnvelopeOutbox } from './effects.js';
import type { JobDeps } from './jobs.js';

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

let deps: JobDeps | undefined;
export const handler = createOutboxStreamHandler(() => (deps ??= composeAppDeps(loadConfig(), { logger })));
