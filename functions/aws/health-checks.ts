import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetSendQuotaCommand } from '@aws-sdk/client-ses';
import { GetSMSAttributesCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Config } from '../config.js';
import { classifyAwsError } from './aws-errors.js';
import type { AwsClients } from './clients.js';

const SES_PROBE_ATTEMPTS = 3;

/** One dependency's probe: resolves if it answers, throws if not. The signal aborts it at the deadline. */
export type DependencyCheck = (signal: AbortSignal) => Promise<void>;
export type DependencyChecks = Readonly<Record<string, DependencyCheck>>;

/**
 * The cheapest call per AWS dependency that proves the service answers *and* this role may use
 * the resource (`GET /health?deep=1`): a GetItem of a key that never exists, HeadBucket, the
 * platform signing key's DescribeKey, the webhooks queue's attributes, SES's send quota (the
 * mail every envelope sends), SNS's SMS settings (SMS is always wired: phone recipients, codes)
 * and DescribeSecret of each secret this function reads — its metadata, never its value. Each is
 * one read the API role allows (infra/kyso-stack.ts, sid HealthChecks, and the secrets' grantRead).
 */
export const awsDependencyChecks = (
  clients: AwsClients,
  config: Pick<Config, 'tableName' | 'bucketName' | 'keyAliasPrefix' | 'queueUrls' | 'adminKeySecretId' | 'providerSecretsId'>,
): DependencyChecks => {
  const queueUrl = config.queueUrls.webhooks ?? Object.values(config.queueUrls)[0];
  const secrets = { 'secret:admin-key': config.adminKeySecretId, 'secret:providers': config.providerSecretsId };
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
    // SES's client makes one attempt (a retried SendEmail could send twice, functions/aws/clients.ts); its probe
    // is a read, retried as the SDK retries the other probes, so one throttled attempt does not mark SES down.
    ses: async (abortSignal) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await clients.ses.send(new GetSendQuotaCommand({}), { abortSignal });
          return;
        } catch (e) {
          if (attempt >= SES_PROBE_ATTEMPTS || abortSignal.aborted || !classifyAwsError(e)) throw e;
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    },
    sns: async (abortSignal) => {
      await clients.sns.send(new GetSMSAttributesCommand({ attributes: ['DefaultSMSType'] }), { abortSignal });
    },
    ...Object.fromEntries(
      Object.entries(secrets).flatMap(([name, id]) =>
        id
          ? [
              [
                name,
                async (abortSignal: AbortSignal) => {
                  await clients.secrets.send(new DescribeSecretCommand({ SecretId: id }), { abortSignal });
                },
              ],
            ]
          : [],
      ),
    ),
  };
};
