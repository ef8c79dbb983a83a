import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Tracing through Powertools for AWS Lambda: on Lambda (active tracing, infra BundledFunction) every
 * AWS SDK call (clients.ts) and outbound fetch is a subsegment of the invocation's X-Ray trace, whose
 * id is also on every log line (logger.ts). Outside Lambda (npm start, tests) Powertools turns
 * itself off: AWS_EXECUTION_ENV is unset there, so nothing is captured and nothing is sent.
 */
export const tracer = new Tracer({ serviceName: 'kyso' });
