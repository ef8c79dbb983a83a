import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config.js';
import { countAwsCall, countInRequest } from '../request-scope.js';
import { tracer } from '../tracer.js';
import { createDocumentClient, type DocumentClient } from './dynamo-document-client.js';
import { type InjectedFault, injectFaults } from './fault-injection.js';

export interface AwsClients {
  /** Every adapter's: DynamoDB's JSON protocol spoken directly (dynamo-document-client.ts). */
  readonly dynamo: DocumentClient;
  readonly rawDynamo: DynamoDBClient;
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly ses: SESClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly secrets: SecretsManagerClient;
}

/**
 * Every AWS call is bounded in time: 3 s to connect, 20 s until the response (each attempt); the
 * SDK then retries (standard strategy: 3 attempts, DynamoDB's client 4). Without these an endpoint
 * that stops answering would hold a request until the platform cuts it. The bound is attempts ×
 * timeout — measured against an endpoint that accepts and never answers (test/integration/
 * honest-failures.test.ts): 4 × 2 s ≈ 8.2 s with KYSO_AWS_REQUEST_TIMEOUT_MS=2000, so up to ~80 s
 * with the default, more than API Gateway's 29 s: the stack sets 5 s for the API function
 * (infra/kyso-stack.ts, API_AWS_REQUEST_TIMEOUT_MS), so there it is ≤ 20 s.
 */
export const AWS_TIMEOUTS = { connectionTimeout: 3000, requestTimeout: 20_000, throwOnRequestTimeout: true } as const;

/**
 * The one place AWS SDK clients are configured. With an endpoint (LocalStack, moto) every
 * client goes there with path-style S3 and dummy credentials unless real ones are set;
 * without one, the SDK's normal resolution applies (including AWS_ENDPOINT_URL_<SERVICE>).
 */
export const awsClientConfig = (config: Pick<Config, 'region' | 'endpoint' | 'endpointCredentials' | 'awsRequestTimeoutMs'>) => ({
  region: config.region,
  requestHandler: { ...AWS_TIMEOUTS, ...(config.awsRequestTimeoutMs ? { requestTimeout: config.awsRequestTimeoutMs } : {}) },
  ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  ...(config.endpointCredentials ? { credentials: config.endpointCredentials } : {}),
});

export const createAwsClients = (
  config: Pick<Config, 'region' | 'endpoint' | 'dynamodbEndpoint' | 'endpointCredentials' | 'awsRequestTimeoutMs' | 'faults'>,
  /** Test mode: told of every injected fault (KYSO_FAULT_RATE). */
  onFault?: (fault: InjectedFault) => void,
): AwsClients => {
  const base = awsClientConfig(config);
  const rawDynamo = new DynamoDBClient(base);
  const clients = {
    rawDynamo,
    s3: new S3Client({ ...base, forcePathStyle: !!config.endpoint }),
    kms: new KMSClient(base),
    // No SDK retries for SES: a retry after a timeout could send an email SES had already taken.
    // sesMailer retries only what SES answered and refused (throttling); the outbox settles the rest.
    ses: new SESClient({ ...base, maxAttempts: 1 }),
    sns: new SNSClient(base),
    sqs: new SQSClient(base),
    secrets: new SecretsManagerClient(base),
  };
  // Each KMS operation counts once (before the SDK's retries) towards the request's KmsCalls metric.
  clients.kms.middlewareStack.add(
    (next) => (args) => {
      countInRequest('kmsCalls');
      return next(args);
    },
    { step: 'initialize', name: 'kysoCountKmsCalls' },
  );
  // Every operation of every client, once (before the SDK's retries), by service and operation: the request's and the
  // process's tally (local mode shows them: x-kyso-aws-calls, GET /dev/aws-calls; the benchmark prints them per request).
  const countCalls =
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => {
      countAwsCall(
        `${String(context.clientName ?? '').replace(/Client$/, '')}.${String(context.commandName ?? '').replace(/Command$/, '')}`,
      );
      return next(args);
    };
  for (const client of Object.values(clients)) {
    (client.middlewareStack as { add(m: never, o: { step: 'initialize'; name: string }): void }).add(countCalls as never, {
      step: 'initialize',
      name: 'kysoCountAwsCalls',
    });
  }
  // X-Ray subsegments per AWS call on Lambda (a no-op elsewhere: functions/tracer.ts).
  for (const client of Object.values(clients)) tracer.captureAWSv3Client(client);
  // On every client's stack, before the document client is made from the raw one (it sends through that stack).
  const { faults } = config;
  if (faults) for (const client of Object.values(clients)) injectFaults(client, faults, onFault);
  // The adapters' DynamoDB calls skip the SDK's pipeline; the SDK client (rawDynamo) still resolves the
  // credentials, and serves table creation and the health check.
  const dynamo = createDocumentClient({
    region: config.region,
    endpoint: config.endpoint ?? config.dynamodbEndpoint,
    credentials: rawDynamo.config.credentials as () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>,
    connectionTimeoutMs: AWS_TIMEOUTS.connectionTimeout,
    requestTimeoutMs: config.awsRequestTimeoutMs ?? AWS_TIMEOUTS.requestTimeout,
    ...(config.faults ? { faults: config.faults, ...(onFault ? { onFault } : {}) } : {}),
  });
  return { ...clients, dynamo };
};
