import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { MAIL_EVENT_TYPES } from '../../functions/messaging/ses-event.js';

export interface MailSendingProps {
  /** The sender address (KYSO_MAIL_FROM); its domain becomes the SES identity, verified by DKIM. */
  readonly mailFrom: string;
  /** Encrypts the mail-events topic (its messages name recipients' addresses); SES is allowed to use it for this topic only. */
  readonly eventsKey: kms.IKey;
}

/** What the events topic carries (functions/messaging/ses-event.ts says why each). */
export const MAIL_EVENTS: readonly ses.EmailSendingEvent[] = MAIL_EVENT_TYPES.map((t) => t as ses.EmailSendingEvent);

/**
 * SES sending identity (the mail-from domain, Easy DKIM) and a configuration set that requires
 * TLS, publishes reputation metrics and suppresses bounced and complaining addresses.
 * The DKIM CNAME records are outputs of the identity: add them to the domain's DNS.
 *
 * The configuration set publishes its bounce, complaint, delivery, reject and rendering-failure
 * events to an SNS topic encrypted with `eventsKey` (issue 18); `addEventsHandler` subscribes the
 * function that turns them into delivery receipts (functions/messaging/ses-events.ts).
 */
export class MailSending extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly domain: string;
  /** SES events of every message sent through the configuration set. */
  readonly eventsTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: MailSendingProps) {
    super(scope, id);
    const domain = props.mailFrom.split('@')[1];
    if (!domain) throw new Error(`mailFrom must be an email address, got "${props.mailFrom}"`);
    this.domain = domain;
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(domain),
      configurationSet: this.configurationSet,
    });

    this.eventsTopic = new sns.Topic(this, 'EventsTopic', {
      displayName: 'Kyso mail events (SES)',
      masterKey: props.eventsKey,
      enforceSSL: true,
    });
    const { account, region, partition } = Stack.of(this);
    const configurationSetArn = `arn:${partition}:ses:${region}:${account}:configuration-set/${this.configurationSet.configurationSetName}`;
    // SES encrypts what it publishes to an encrypted topic with the topic's key: only for this configuration set.
    props.eventsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesPublishesMailEventsToEncryptedTopic',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account, 'aws:SourceArn': configurationSetArn } },
      }),
    );
    // Adds the topic policy letting ses.amazonaws.com publish, for this account and configuration set only.
    new ses.ConfigurationSetEventDestination(this, 'EventsToTopic', {
      configurationSet: this.configurationSet,
      destination: ses.EventDestination.snsTopic(this.eventsTopic),
      events: [...MAIL_EVENTS],
    });
  }

  /** The function that applies the events (subscribed to the topic; SNS invokes it asynchronously). */
  addEventsHandler(handler: lambda.IFunction): void {
    this.eventsTopic.addSubscription(new subscriptions.LambdaSubscription(handler));
  }

  /** Send mail from the identity through the configuration set, and nothing else. */
  grantSend(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.domain }),
        stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
      ],
    });
  }
}
