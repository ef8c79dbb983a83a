import { inTracedInvocation, runsOnLambda } from './config.js';

/** What the service asks of its tracer: X-Ray subsegments for AWS calls. */
export interface AwsTracer {
  /** Every call an AWS SDK client makes. */
  captureAWSv3Client<T>(client: T): T;
  /** One call made without the SDK (functions/aws/dynamo-document-client.ts). */
  captureCall<T>(service: string, operation: string, call: () => Promise<T>): Promise<T>;
}

interface Subsegment {
  addAnnotation(key: string, value: string): void;
  addError(error: Error): void;
  close(): void;
}

/**
 * Tracing through Powertools for AWS Lambda: on Lambda (active tracing, infra BundledFunction) every
 * AWS call (clients.ts) is a subsegment of the invocation's X-Ray trace, whose id is also on
 * every log line (logger.ts). Outside Lambda (npm start, tests) Powertools would turn itself off,
 * but merely loading it installs the X-Ray SDK's async hooks (cls-hooked, with destroy tracking),
 * which made every promise of the process about 7× dearer (300,000 awaits: 117 → 824 ms CPU):
 * so it is not loaded there at all.
 */
const lambdaTracer = async (): Promise<AwsTracer> => {
  const powertools = new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: 'kyso' });
  return {
    captureAWSv3Client: (client) => powertools.captureAWSv3Client(client),
    captureCall: async (service, operation, call) => {
      // Outside an invocation (init) there is no segment to hang it on, and Powertools would warn on every call.
      const parent = powertools.isTracingEnabled() && inTracedInvocation() ? powertools.getSegment() : undefined;
      const sub = parent?.addNewSubsegment(service) as Subsegment | undefined;
      sub?.addAnnotation('operation', operation);
      try {
        return await call();
      } catch (e) {
        sub?.addError(e as Error);
        throw e;
      } finally {
        sub?.close();
      }
    },
  };
};

export const tracer: AwsTracer = runsOnLambda()
  ? await lambdaTracer()
  : { captureAWSv3Client: (client) => client, captureCall: (_service, _operation, call) => call() };
