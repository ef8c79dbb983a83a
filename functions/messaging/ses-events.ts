import type { SNSEvent } from 'aws-lambda';
import type { EnvelopeDeps } from '../../shared/envelope/deps.js';
import { composeAppDeps } from '../compose.js';
import { loadConfig } from '../config.js';
import { createLogger, withLambdaContext } from '../logger.js';
import { applySesEvents } from './apply-ses-events.js';

/**
 * The Lambda subscribed to the SES configuration set's event topic (infra/constructs/mail-sending.ts):
 * email bounces, complaints, deliveries, rejects and rendering failures → the delivery records the
 * console shows, the dashboard's failures, the audit trail. What it reads: ses-event.ts.
 */
const logger = createLogger('kyso-mail-events');

/** SNS invokes it asynchronously: a throw (the table unreachable) is retried, and receipts apply idempotently. */
export const createSesEventsHandler = (depsFor: () => EnvelopeDeps) => async (event: SNSEvent) => {
  const result = await applySesEvents(depsFor(), event);
  logger.info('mail events applied', { ...result });
  return result;
};

let deps: EnvelopeDeps | undefined;
export const handler = withLambdaContext(
  logger,
  createSesEventsHandler(() => (deps ??= composeAppDeps(loadConfig(), { logger }))),
);
