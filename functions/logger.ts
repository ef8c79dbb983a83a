import { LogFormatter, LogItem, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import { currentRequestScope } from './request-scope.js';

/**
 * Structured JSON logs, one line per entry. Callers pass ids and codes, never names, emails,
 * tokens, API keys or document bytes: logs are not a place for personal data or secrets.
 */
export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/**
 * Powertools' attributes in Kyso's log shape: `level` in lower case, `time`, `service`, `message`,
 * then on Lambda `cold_start`, `function_name`, `function_request_id`, `xray_trace_id`, then the
 * entry's own fields (the alarms' metric filters and the test harness read `level`, `message`, `error`).
 */
class KysoLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const lambda = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel.toLowerCase(),
        time: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        message: attributes.message,
        ...(lambda
          ? {
              cold_start: lambda.coldStart,
              function_name: lambda.functionName,
              function_request_id: lambda.awsRequestId,
            }
          : {}),
        ...(attributes.xRayTraceId ? { xray_trace_id: attributes.xRayTraceId } : {}),
      },
    }).addAttributes(additional);
  }
}

export interface ServiceLogger extends Logger {
  /** The Powertools logger underneath: Lambda entry points give it their context (cold start, request id). */
  readonly powertools: PowertoolsLogger;
}

/**
 * The logger of one entry point: Powertools for AWS Lambda (level from POWERTOOLS_LOG_LEVEL or the
 * function's log level, Lambda context, X-Ray trace id) writing the same JSON lines to stdout on
 * Lambda and under `npm start`. Inside a request every line carries its `requestId` (request-scope.ts).
 */
export const createLogger = (service: string): ServiceLogger => {
  const powertools = new PowertoolsLogger({ serviceName: service, logFormatter: new KysoLogFormatter() });
  const withRequest = (data?: Record<string, unknown>): Record<string, unknown> => {
    const scope = currentRequestScope();
    return scope ? { requestId: scope.requestId, ...data } : { ...data };
  };
  return {
    powertools,
    info: (message, data) => powertools.info(message, withRequest(data)),
    warn: (message, data) => powertools.warn(message, withRequest(data)),
    error: (message, data) => powertools.error(message, withRequest(data)),
  };
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** A Lambda handler whose logs carry each invocation's context (cold_start, function_request_id, function_name). */
export const withLambdaContext =
  <E, R>(logger: ServiceLogger, handler: (event: E, context: Context) => Promise<R>) =>
  (event: E, context: Context): Promise<R> => {
    // Lambda always passes one; a direct call (a test, a script) may not.
    if (context) logger.powertools.addContext(context);
    return handler(event, context);
  };
