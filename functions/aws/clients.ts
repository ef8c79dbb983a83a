import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';

export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly rawDynamo: DynamoDBClient;
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly ses: SESClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly secrets: SecretsManagerClient;
}

/**
 * The one place AWS SDK clients are configured. With an endpoint (LocalStack, moto) every
 * client goes there with path-style S3 and dummy credentials unless real ones are set;
 * without one, the SDK's normal resolution applies (including AWS_ENDPOINT_URL_<SERVICE>).
 */
export const awsClientConfig = (config: Pick<Config, 'region' | 'endpoint' | 'endpointCredentials'>) => ({
  region: config.region,
  ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  ...(config.endpointCredentials ? { credentials: config.endpointCredentials } : {}),
});

export const createAwsClients = (config: Pick<Config, 'region' | 'endpoint' | 'endpointCredentials'>): AwsClients => {
  const base = awsClientConfig(config);
  const rawDynamo = new DynamoDBClient(base);
  return {
    rawDynamo,
    dynamo: DynamoDBDocumentClient.from(rawDynamo, { marshallOptions: { removeUndefinedValues: true } }),
    s3: new S3Client({ ...base, forcePathStyle: !!config.endpoint }),
    kms: new KMSClient(base),
    ses: new SESClient(base),
    sns: new SNSClient(base),
    sqs: new SQSClient(base),
    secrets: new SecretsManagerClient(base),
  };
};
