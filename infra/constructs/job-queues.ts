import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { JOB_KINDS, type JobKind } from '../../shared/jobs/ports.js';
import { acknowledge } from '../nag.js';

export { JOB_KINDS, type JobKind } from '../../shared/jobs/ports.js';

export interface JobQueuesProps {
  /** The consumer's timeout; the visibility timeout is six times it, as Lambda recommends. */
  readonly consumerTimeout: Duration;
  /** Deliveries before a message moves to its dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
}

/** One queue per kind of background job (webhook deliveries, emails, bulk sends), each with its DLQ. */
export class JobQueues extends Construct {
  readonly queues: Readonly<Record<JobKind, sqs.Queue>>;
  readonly deadLetterQueues: Readonly<Record<JobKind, sqs.Queue>>;

  constructor(scope: Construct, id: string, props: JobQueuesProps) {
    super(scope, id);
    const queues = {} as Record<JobKind, sqs.Queue>;
    const dlqs = {} as Record<JobKind, sqs.Queue>;
    for (const kind of JOB_KINDS) {
      const dlq = new sqs.Queue(this, `${kind}-dlq`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(dlq, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue.');
      queues[kind] = new sqs.Queue(this, kind, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: dlq, maxReceiveCount: props.maxReceiveCount ?? 5 },
      });
      dlqs[kind] = dlq;
    }
    this.queues = queues;
    this.deadLetterQueues = dlqs;
  }

  /** Enqueue jobs of these kinds (every kind by default). */
  grantSend(grantee: iam.IGrantable, kinds: readonly JobKind[] = JOB_KINDS): void {
    for (const kind of kinds) this.queues[kind].grantSendMessages(grantee);
  }
}
