import type { CloudWatchLogsEvent } from 'aws-lambda';
import type { EnvelopeDeps } from '../../shared/envelope/deps.js';
import { composeAppDeps } from '../compose.js';
import { loadConfig } from '../config.js';
import { createLogger, withLambdaContext } from '../logger.js';
import { applySnsDeliveryLogs } from './sns-delivery-logs.js';

/**
 * The Lambda behind the SMS delivery-status log groups' subscription filters
 * (infra/constructs/sms-delivery-status.ts); what it reads is described in sns-delivery-logs.ts.
 */
const logger = createLogger('kyso-sms-status');

/** CloudWatch Logs invokes it asynchronously: a throw (the table unreachable) is retried by Lambda, and receipts apply idempotently. */
export const createSnsDeliveryStatusHandler = (depsFor: () => EnvelopeDeps) => async (event: CloudWatchLogsEvent) => {
  const result = await applySnsDeliveryLogs(depsFor(), event);
  logger.info('sms delivery status applied', { ...result });
  return result;
};

let deps: EnvelopeDeps | undefined;
export const handler = withLambdaContext(
  logger,
  createSnsDeliveryStatusHandler(() => (deps ??= composeAppDeps(loadConfig(), { logger }))),
);
