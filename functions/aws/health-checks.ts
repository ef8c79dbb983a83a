import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Config } from '../config.js';
import type { AwsClients } from './clients.js';

/** One dependency's probe: resolves if it answers, throws if not. The signal aborts it at the deadline. */
export type DependencyCheck = (signal: AbortSignal) => Promise<void>;
export type DependencyChecks = Readonly<Record<string, DependencyCheck>>;

/**
 * The cheapest call per AWS dependency that proves the service answers *and* this role may use
 * the resource (`GET /health?deep=1`): a GetItem of a key that never exists, HeadBucket, the
 * platform signing key's DescribeKey, and the webhooks queue's attributes. Each is one request
 * the function's IAM already allows.
 */
export const awsDependencyChecks = (
  clients: AwsClients,
  config: Pick<Config, 'tableName' | 'bucketName' | 'keyAliasPrefix' | 'queueUrls'>,
): DependencyChecks => {
  const queueUrl = config.queueUrls.webhooks ?? Object.values(config.queueUrls)[0];
  return {
    dynamodb: async (abortSignal) => {
      await clients.rawDynamo.send(new GetItemCommand({ TableName: config.tableName, Key: { pk: { S: 'HEALTH' }, sk: { S: 'HEALTH' } } }), {
        abortSignal,
      });
    },
    s3: async (abortSignal) => {
      await clients.s3.send(new HeadBucketCommand({ Bucket: config.bucketName }), { abortSignal });
    },
    kms: async (abortSignal) => {
      await clients.kms.send(new DescribeKeyCommand({ KeyId: `${config.keyAliasPrefix}/platform-signing` }), { abortSignal });
    },
    ...(queueUrl
      ? {
          sqs: async (abortSignal: AbortSignal) => {
            await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }), {
              abortSignal,
            });
          },
        }
      : {}),
  };
};
