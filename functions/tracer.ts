import { runsOnLambda } from './config.js';

/** What the service asks of its tracer: X-Ray subsegments for an AWS SDK client's calls. */
export interface AwsTracer {
  captureAWSv3Client<T>(client: T): T;
}

/**
 * Tracing through Powertools for AWS Lambda: on Lambda (active tracing, infra BundledFunction) every
 * AWS SDK call (clients.ts) is a subsegment of the invocation's X-Ray trace, whose id is also on
 * every log line (logger.ts). Outside Lambda (npm start, tests) Powertools would turn itself off,
 * but merely loading it installs the X-Ray SDK's async hooks (cls-hooked, with destroy tracking),
 * which made every promise of the process about 7× dearer (300,000 awaits: 117 → 824 ms CPU):
 * so it is not loaded there at all.
 */
export const tracer: AwsTracer = runsOnLambda()
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: 'kyso' })
  : { captureAWSv3Client: (client) => client };
