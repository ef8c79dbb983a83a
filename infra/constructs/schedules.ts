import { Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, nagArn } from '../nag.js';

export interface SchedulesProps {
  /** The scheduler function; it receives `{ "task": "reminders" | "expiry" | "labour-registrations" }`. */
  readonly handler: lambda.IFunction;
  /** @default every hour */
  readonly remindersEvery?: Duration;
  /** @default every 15 minutes */
  readonly expiryEvery?: Duration;
  /** Labour-contract registrations owed to the national platform (repair + 20 h / 24 h flags). @default every 15 minutes */
  readonly labourRegistrationsEvery?: Duration;
}

/** EventBridge Scheduler: periodic reminder and expiry sweeps, failed invocations to a DLQ. */
export class Schedules extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  readonly schedules: readonly scheduler.Schedule[];

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'Dlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the schedules.');
    const every = {
      reminders: props.remindersEvery ?? Duration.hours(1),
      expiry: props.expiryEvery ?? Duration.minutes(15),
      'labour-registrations': props.labourRegistrationsEvery ?? Duration.minutes(15),
    };
    acknowledge(
      Stack.of(this),
      `AwsSolutions-IAM5[Resource::${nagArn(props.handler.node.defaultChild as lambda.CfnFunction)}:*]`,
      'The scheduler role may invoke any version or alias of the scheduler function, and nothing else.',
    );
    this.schedules = (['reminders', 'expiry', 'labour-registrations'] as const).map(
      (task) =>
        new scheduler.Schedule(this, task, {
          description: `Kyso ${task} sweep`,
          schedule: scheduler.ScheduleExpression.rate(every[task]),
          target: new targets.LambdaInvoke(props.handler, {
            input: scheduler.ScheduleTargetInput.fromObject({ task }),
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
          }),
        }),
    );
  }
}
