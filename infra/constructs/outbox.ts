import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeGrant, nagArn } from '../nag.js';

export interface OutboxWiringProps {
  /** The state table; its stream must be enabled (StateTable does, KEYS_ONLY). */
  readonly table: dynamodb.ITable;
  /** The outbox function (functions/worker/outbox-stream.ts): stream batches and `{ "task": "outbox" }`. */
  readonly handler: lambda.IFunction;
  /** How often the repair sweep runs. @default every 5 minutes */
  readonly repairEvery?: Duration;
  /** How often the retention sweep (unfinished archives, document-timestamp renewals) runs. @default every 6 hours */
  readonly retentionEvery?: Duration;
}

/**
 * What makes owed effects happen on AWS (ARCHITECTURE "State changes and the outbox"):
 * - the table's stream, filtered to envelope items (INSERT/MODIFY of `sk = ENV#…`), invokes the
 *   outbox function when a commit lands; records of one envelope stay in order (same partition
 *   key), a failing record is retried from where it failed (partial batch response), and after
 *   the retries its record goes to a DLQ (alarmed). Losing a *record* loses nothing: the owed
 *   items stay in the table until performed, and the repair sweep finds them;
 * - EventBridge Scheduler runs the repair sweep (`{ "task": "outbox" }`) on the same function, so
 *   only one role holds the rights effects need (the scheduler function has no KMS Sign nor S3);
 *   and the retention sweep (`{ "task": "retention" }`, issue 17: archives left unfinished,
 *   document timestamps renewed before their certificates expire), which needs the same rights.
 */
export class OutboxWiring extends Construct {
  /** Stream records that failed every retry (their effects are still owed in the table). */
  readonly streamDeadLetterQueue: sqs.Queue;
  /** Failed repair-sweep invocations. */
  readonly repairDeadLetterQueue: sqs.Queue;
  readonly repairSchedule: scheduler.Schedule;
  readonly retentionSchedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: OutboxWiringProps) {
    super(scope, id);
    const dlq = (name: string) => {
      const q = new sqs.Queue(this, name, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(q, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue.');
      return q;
    };
    this.streamDeadLetterQueue = dlq('StreamDlq');
    this.repairDeadLetterQueue = dlq('RepairDlq');
    props.handler.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 20,
        maxBatchingWindow: Duration.seconds(0),
        // Envelopes of one shard in parallel; one envelope's records stay ordered (same partition key).
        parallelizationFactor: 4,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 8,
        maxRecordAge: Duration.hours(1),
        onFailure: new SqsDlq(this.streamDeadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { Keys: { sk: { S: lambda.FilterRule.beginsWith('ENV#') } } },
          }),
        ],
      }),
    );
    acknowledgeGrant(
      props.handler,
      ['Resource::*'],
      'dynamodb:ListStreams only (CDK adds it for a stream event source): the action has no resource-level permissions.',
    );
    acknowledge(
      Stack.of(this),
      `AwsSolutions-IAM5[Resource::${nagArn(props.handler.node.defaultChild as lambda.CfnFunction)}:*]`,
      'The repair schedule may invoke any version or alias of the outbox function, and nothing else.',
    );
    // Scheduled tasks of the outbox function; a failed invocation goes to the repair DLQ (alarmed).
    const task = (id: string, name: 'outbox' | 'retention', every: Duration, description: string, maxEventAge: Duration) =>
      new scheduler.Schedule(this, id, {
        description,
        schedule: scheduler.ScheduleExpression.rate(every),
        target: new targets.LambdaInvoke(props.handler, {
          input: scheduler.ScheduleTargetInput.fromObject({ task: name }),
          deadLetterQueue: this.repairDeadLetterQueue,
          retryAttempts: 2,
          maxEventAge,
        }),
      });
    this.repairSchedule = task(
      'Repair',
      'outbox',
      props.repairEvery ?? Duration.minutes(5),
      'Kyso outbox repair sweep: performs what is owed and not done, logs what is stuck',
      Duration.minutes(30),
    );
    this.retentionSchedule = task(
      'Retention',
      'retention',
      props.retentionEvery ?? Duration.hours(6),
      'Kyso retention sweep: finishes archives (Object Lock) and renews document timestamps before they expire',
      Duration.hours(1),
    );
  }
}
