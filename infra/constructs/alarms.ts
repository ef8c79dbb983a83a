import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SigningKeySpec } from './signing-keys.js';

export interface AlarmsProps {
  readonly api: apigw.HttpApi;
  /** Functions whose errors page someone, by a short name. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /** The signing function's log group: KMS ThrottlingException is counted from its JSON error logs. */
  readonly signerLogGroup: logs.ILogGroup;
  /** The scheduler's logs: its labour-registrations sweep reports how many registrations are late (Decree 337: 24 h). */
  readonly schedulerLogGroup?: logs.ILogGroup;
  /** The outbox function's logs: the repair sweep logs each effect owed for over 15 minutes ("owed effect stuck"). */
  readonly outboxLogGroup?: logs.ILogGroup;
  /** Which KMS request quota the signing keys draw on. */
  readonly keySpec: SigningKeySpec;
  /** Key for the alarm topic (CloudWatch must be allowed to use it). */
  readonly topicKey: kms.IKey;
  /** Subscribed to the alarm topic when set. */
  readonly email?: string;
  /** Alarm when more than this percentage of API requests fail with 5xx. @default 5 */
  readonly max5xxPercent?: number;
}

/** KMS Sign request quota per account and region (requests per second), by key family. */
const KMS_SIGN_QUOTA = { ECC: 300, RSA: 500 } as const;

/** CloudWatch alarms for what needs a human: API 5xx rate, DLQ depth, KMS throttling, function errors, TSA outages. */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Kyso alarms', masterKey: props.topicKey, enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const period = Duration.minutes(5);

    const requests = props.api.metricCount({ period, statistic: 'Sum' });
    const serverErrors = props.api.metricServerError({ period, statistic: 'Sum' });
    this.add(
      'Api5xxRate',
      new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: { requests, errors: serverErrors },
        period,
        label: 'API 5xx %',
      }),
      props.max5xxPercent ?? 5,
      'More than the allowed share of API requests ended in 5xx',
      3,
    );

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(
        `${pascal(name)}DlqDepth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        0,
        `Messages are waiting in the ${name} dead-letter queue`,
        1,
      );
    }

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${pascal(name)}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), 0, `The ${name} function failed`, 1);
    }

    // KMS publishes no throttle metric per key: count the SDK's ThrottlingException in the signer's
    // error logs, and watch account-level usage against the Sign quota before throttling begins.
    const throttles = new logs.MetricFilter(this, 'KmsThrottleFilter', {
      logGroup: props.signerLogGroup,
      metricNamespace: 'Kyso',
      metricName: 'KmsThrottles',
      filterPattern: logs.FilterPattern.stringValue('$.error', '=', 'ThrottlingException'),
      metricValue: '1',
      defaultValue: 0,
    });
    this.add('KmsThrottled', throttles.metric({ period: Duration.minutes(1), statistic: 'Sum' }), 0, 'KMS throttled signing requests', 1);
    if (props.outboxLogGroup) {
      // functions/worker/repair.ts: one error line per effect still owed after STUCK_AFTER_MS.
      const stuck = new logs.MetricFilter(this, 'OutboxStuckFilter', {
        logGroup: props.outboxLogGroup,
        metricNamespace: 'Kyso',
        metricName: 'OutboxStuck',
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', 'owed effect stuck'),
        metricValue: '1',
        defaultValue: 0,
      });
      this.add(
        'OutboxStuck',
        stuck.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
        0,
        'An effect of a committed state change (email, webhook, seal, audit head, …) has been owed for more than 15 minutes',
        1,
      );
    }
    if (props.schedulerLogGroup) {
      // A labour contract not registered with the national platform 20 h after completion (the legal limit is 24 h).
      const late = new logs.MetricFilter(this, 'LabourRegistrationsLateFilter', {
        logGroup: props.schedulerLogGroup,
        metricNamespace: 'Kyso',
        metricName: 'LabourRegistrationsLate',
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.stringValue('$.task', '=', 'labour-registrations'),
          logs.FilterPattern.numberValue('$.late', '>', 0),
        ),
        metricValue: '$.late',
        defaultValue: 0,
      });
      this.add(
        'LabourRegistrationsLate',
        late.metric({ period: Duration.minutes(15), statistic: 'Maximum' }),
        0,
        'Labour contracts not registered with the national platform 20 hours after completion (limit: 24 hours)',
        1,
      );
    }
    // KYSO_TSA_REQUIRED=external: a signature refused because no external TSA answered
    // (functions/metrics.ts TSA_OUTAGE_METRIC, published by whichever function was signing).
    this.add(
      'TimestampUnavailable',
      new cloudwatch.Metric({
        namespace: 'Kyso',
        metricName: 'TimestampUnavailable',
        dimensionsMap: { service: 'kyso' },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      0,
      'The required external time-stamping authority did not answer: signatures are refused (503 timestamp_unavailable) until it is back',
      1,
    );
    const family = props.keySpec.startsWith('RSA') ? 'RSA' : 'ECC';
    const usage = new cloudwatch.Metric({
      namespace: 'AWS/Usage',
      metricName: 'CallCount',
      dimensionsMap: { Service: 'KMS', Type: 'API', Resource: `CryptographicOperations${family === 'RSA' ? 'Rsa' : 'Ecc'}`, Class: 'None' },
      period: Duration.minutes(1),
      statistic: 'Sum',
    });
    this.add(
      'KmsSignNearQuota',
      usage,
      KMS_SIGN_QUOTA[family] * 60 * 0.8,
      `KMS ${family} requests above 80% of the ${KMS_SIGN_QUOTA[family]}/s quota`,
      3,
    );
  }

  private add(id: string, metric: cloudwatch.IMetric, threshold: number, description: string, periods: number): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
