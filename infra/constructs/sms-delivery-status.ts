import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface SmsDeliveryStatusProps {
  /** The function that applies the receipts (functions/messaging/sns-delivery-status.ts). */
  readonly handler: lambda.IFunction;
  /** Percentage of successful deliveries SNS logs (failures are always logged). @default 100 */
  readonly successSamplingPercent?: number;
  /** How long the raw delivery-status lines are kept (they name the destination number). @default one month */
  readonly retention?: logs.RetentionDays;
}

/**
 * SMS delivery receipts (issue 12). SNS reports the fate of an SMS only through delivery-status
 * logging, an account-wide SMS setting: SNS assumes a role to write one JSON line per message to
 * `sns/<region>/<account>/DirectPublishToPhoneNumber` (delivered) and `…/Failure`. This construct
 * - makes those two log groups itself, so they have a short retention (the lines carry phone
 *   numbers) and exist before a subscription is put on them;
 * - makes the role SNS writes them with, limited to those groups;
 * - switches delivery-status logging on with `SetSMSAttributes` (a custom resource: CloudFormation
 *   has no SNS SMS settings). It is account-wide: another stack in the same account and region
 *   setting it would fight this one — documented in infra/README;
 * - subscribes the handler to both groups.
 * If the account already has these log groups (SMS sent with logging on before), import them
 * instead of creating them: CloudFormation refuses to create a group that exists.
 */
export class SmsDeliveryStatus extends Construct {
  readonly logGroups: readonly logs.LogGroup[];
  readonly loggingRole: iam.Role;

  constructor(scope: Construct, id: string, props: SmsDeliveryStatusProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);
    const base = `sns/${region}/${account}/DirectPublishToPhoneNumber`;
    const retention = props.retention ?? logs.RetentionDays.ONE_MONTH;
    this.logGroups = [
      new logs.LogGroup(this, 'Delivered', { logGroupName: base, retention, removalPolicy: RemovalPolicy.DESTROY }),
      new logs.LogGroup(this, 'Failed', { logGroupName: `${base}/Failure`, retention, removalPolicy: RemovalPolicy.DESTROY }),
    ];

    this.loggingRole = new iam.Role(this, 'SnsLoggingRole', {
      assumedBy: new iam.ServicePrincipal('sns.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
      description: 'SNS writes SMS delivery status to the two DirectPublishToPhoneNumber log groups',
    });
    this.loggingRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: this.logGroups.map((g) => g.logGroupArn),
      }),
    );
    acknowledge(
      this.loggingRole,
      'AwsSolutions-IAM5',
      'SNS writes streams it names itself inside these two log groups only (log-group ARN with :*).',
    );

    const setAttributes: cr.AwsSdkCall = {
      service: 'SNS',
      action: 'setSMSAttributes',
      parameters: {
        attributes: {
          DeliveryStatusIAMRole: this.loggingRole.roleArn,
          DeliveryStatusSuccessSamplingRate: String(props.successSamplingPercent ?? 100),
          DefaultSMSType: 'Transactional',
        },
      },
      physicalResourceId: cr.PhysicalResourceId.of(`kyso-sms-delivery-status-${region}`),
    };
    const logging = new cr.AwsCustomResource(this, 'EnableLogging', {
      onCreate: setAttributes,
      onUpdate: setAttributes,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        // SetSMSAttributes has no resource-level permissions.
        new iam.PolicyStatement({ actions: ['sns:SetSMSAttributes'], resources: ['*'] }),
        new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [this.loggingRole.roleArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    // The policy lands on CDK's singleton custom-resource function, a child of the stack.
    acknowledge(
      Stack.of(this),
      'AwsSolutions-IAM5[Resource::*]',
      'sns:SetSMSAttributes has no resource-level permissions (the custom resource that switches SMS delivery-status logging on); PassRole is limited to the logging role.',
    );
    logging.node.addDependency(...this.logGroups);

    for (const [i, group] of this.logGroups.entries()) {
      new logs.SubscriptionFilter(this, i === 0 ? 'DeliveredToHandler' : 'FailedToHandler', {
        logGroup: group,
        destination: new destinations.LambdaDestination(props.handler),
        filterPattern: logs.FilterPattern.allEvents(),
      });
    }
  }
}
