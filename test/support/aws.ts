import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';

/** Clients on the test server's local AWS endpoint (moto), to look behind the API. */
const local = () => ({
  endpoint: inject('awsEndpoint'),
  region: 'ap-southeast-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

export const localS3 = () => new S3Client({ ...local(), forcePathStyle: true });
export const localDynamo = () => DynamoDBDocumentClient.from(new DynamoDBClient(local()));
export const TEST_BUCKET = 'kyso-documents';
export const TEST_TABLE = 'kyso';
