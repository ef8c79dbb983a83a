/**
 * SES events as the configuration set's SNS topic hands them to the email-receipts Lambda
 * (functions/messaging/ses-events.ts): one record whose Message is the SES event as JSON. Locally
 * moto publishes none, so tests post these to POST /dev/ses-events, which runs the same code.
 */
const TOPIC = 'arn:aws:sns:ap-southeast-1:123456789012:kyso-mail-events';

export const snsEvent = (sesEvent: Record<string, unknown>) => ({
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `${TOPIC}:3f1c1c4e-0000-4000-8000-000000000001`,
      Sns: {
        Type: 'Notification',
        MessageId: crypto.randomUUID(),
        TopicArn: TOPIC,
        Subject: null,
        Message: JSON.stringify(sesEvent),
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
        Signature: 'EXAMPLE',
        SigningCertUrl: 'https://sns.ap-southeast-1.amazonaws.com/SimpleNotificationService-example.pem',
        UnsubscribeUrl: 'https://sns.ap-southeast-1.amazonaws.com/?Action=Unsubscribe',
        MessageAttributes: {},
      },
    },
  ],
});

/** The `mail` part every SES event carries: `messageId` is SendEmail's MessageId. */
export const sesMail = (messageId: string, to: string, sentAt: string) => ({
  timestamp: sentAt,
  source: 'no-reply@kyso.local',
  sendingAccountId: '123456789012',
  messageId,
  destination: [to],
  headersTruncated: false,
  tags: { 'ses:configuration-set': ['kyso'] },
});

/** A Permanent/General bounce whose diagnostic names the address (the receipt must not keep it). */
export const sesBounce = (messageId: string, to: string, at: string) =>
  snsEvent({
    eventType: 'Bounce',
    mail: sesMail(messageId, to, at),
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: to, action: 'failed', status: '5.1.1', diagnosticCode: `smtp; 550 5.1.1 <${to}>: user unknown` }],
      timestamp: at,
      feedbackId: '0100018c-0000-0000-0000-000000000000-000000',
      reportingMTA: 'dsn; a8-70.smtp-out.amazonses.com',
    },
  });

export const sesDelivery = (messageId: string, to: string, at: string) =>
  snsEvent({
    eventType: 'Delivery',
    mail: sesMail(messageId, to, at),
    delivery: {
      timestamp: at,
      processingTimeMillis: 812,
      recipients: [to],
      smtpResponse: '250 2.0.0 OK',
      reportingMTA: 'a8-70.smtp-out.amazonses.com',
    },
  });

/** What the bounce above reads as, on the deliveries, the dashboard and the console. */
export const BOUNCE_REASON = 'bounce: Permanent/General — 550 5.1.1 <address>: user unknown';
