import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  VerifyEmailIdentityCommand,
} from '@aws-sdk/client-ses';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { JOB_KINDS, type JobKind } from '../../shared/jobs/ports.js';
import type { Config } from '../config.js';
import { MAIL_EVENT_TYPES } from '../messaging/ses-event.js';
import type { AwsClients } from './clients.js';

/**
 * Makes the local AWS endpoint look like a deployed stack: table, bucket, SES sender, job
 * queues with their DLQs. Safe to run any number of times. (KMS keys and CA certificates:
 * loadPlatformPki with create.) Returns the config with the local queue URLs filled in.
 */
export const bootstrapResources = async (clients: AwsClients, config: Config): Promise<Config> => {
  await ensureTable(clients, config.tableName);
  await ensureBucket(clients, config);
  await clients.ses.send(new VerifyEmailIdentityCommand({ EmailAddress: config.mailFrom }));
  const queueUrls: Partial<Record<JobKind, string>> = { ...config.queueUrls };
  for (const kind of JOB_KINDS) queueUrls[kind] ??= await ensureQueue(clients, `${config.tableName}-${kind}`);
  if (config.sesConfigurationSet) return { ...config, queueUrls };
  const mail = await ensureMailEvents(clients, config.tableName);
  return { ...config, queueUrls, sesConfigurationSet: mail.configurationSet, mailEventsQueueUrl: mail.queueUrl };
};

/** Ignores "already exists" (bootstrap runs at every start against an endpoint that may keep its state). */
const unlessExists = async (call: () => Promise<unknown>): Promise<void> => {
  try {
    await call();
  } catch (e) {
    if (!/AlreadyExists/.test((e as { name?: string }).name ?? '')) throw e;
  }
};

/**
 * Like infra/constructs/mail-sending.ts: a configuration set whose events (send, bounce, delivery, …)
 * go to an SNS topic. The stack subscribes a Lambda; here a queue is subscribed, which npm start polls
 * (functions/local/job-poller.ts). moto publishes the Send event through functions/local/moto-server.py.
 */
const ensureMailEvents = async ({ ses, sns, sqs }: AwsClients, name: string) => {
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: `${name}-mail-events` }))).TopicArn as string;
  // An event taken by a process that died comes back in 5 s: well inside the wait for it (KYSO_SES_SEND_EVENT_WAIT_MS, 10 s locally).
  const queueUrl = await ensureQueue({ sqs } as AwsClients, `${name}-mail-events`, 5);
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes
    ?.QueueArn as string;
  const subscribed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  if (!subscribed.Subscriptions?.some((s) => s.Endpoint === queueArn)) {
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  }
  await unlessExists(() => ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: name } })));
  await unlessExists(() =>
    ses.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: name,
        EventDestination: {
          Name: `${name}-events`,
          Enabled: true,
          MatchingEventTypes: [...MAIL_EVENT_TYPES],
          SNSDestination: { TopicARN: topicArn },
        },
      }),
    ),
  );
  return { configurationSet: name, queueUrl };
};

/** Like infra/constructs/job-queues.ts: a queue whose messages move to `<name>-dlq` after 5 receives. */
const ensureQueue = async ({ sqs }: AwsClients, name: string, visibilitySeconds = 60): Promise<string> => {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes
    ?.QueueArn as string;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilitySeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
      },
    }),
  );
  return queue.QueueUrl as string;
};

const ensureTable = async ({ rawDynamo }: AwsClients, tableName: string) => {
  try {
    await rawDynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException || (e as { name?: string }).name === 'ResourceNotFoundException')) throw e;
  }
  try {
    await rawDynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceInUseException') throw e;
  }
  await waitUntilTableExists({ client: rawDynamo, maxWaitTime: 60 }, { TableName: tableName });
  await rawDynamo.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } }),
  );
};

const ensureBucket = async ({ s3 }: AwsClients, config: Config) => {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: config.bucketName }));
    return;
  } catch {
    // missing: create below
  }
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: config.bucketName,
        // Like the stack's DocumentsBucket: completed envelopes are archived under Object Lock (issue 17).
        ObjectLockEnabledForBucket: true,
        ...(config.region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: config.region as never } } : {}),
      }),
    );
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
  }
};
