import { describe, expect, it } from 'vitest';
import { parseSesEvent, readSnsNotifications, redactDetail } from '../../../functions/messaging/ses-event.js';
import { AppError } from '../../../shared/errors.js';

const MESSAGE_ID = '010e0190a1b2c3d4-5e6f7a8b-1234-4cde-8f00-abcdef012345-000000';
const SNS_AT = '2026-12-02T01:00:09.000Z';
const mail = {
  timestamp: '2026-12-02T01:00:00.123Z',
  source: 'Kyso <no-reply@mail.example.vn>',
  sendingAccountId: '123456789012',
  messageId: MESSAGE_ID,
  destination: ['nguyen.van.an@example.vn'],
  headersTruncated: false,
  commonHeaders: { to: ['nguyen.van.an@example.vn'], subject: 'Mời ký' },
  tags: { 'ses:configuration-set': ['kyso'] },
};
const parse = (event: unknown) => parseSesEvent(JSON.stringify(event), SNS_AT);

/** SES event publishing's documented shapes (eventType), one per type the configuration set sends. */
describe('parseSesEvent', () => {
  it('a Delivery marks the message delivered at the delivery time', () => {
    const r = parse({
      eventType: 'Delivery',
      mail,
      delivery: {
        timestamp: '2026-12-02T01:00:02.500Z',
        processingTimeMillis: 2377,
        recipients: ['nguyen.van.an@example.vn'],
        smtpResponse: '250 2.6.0 Message received',
        reportingMTA: 'a8-70.smtp-out.amazonses.com',
      },
    });
    expect(r).toEqual({ messageId: MESSAGE_ID, receipt: { status: 'delivered', at: '2026-12-02T01:00:02.500Z' } });
  });

  it('a Permanent bounce fails it with type, subtype and the diagnostic, without the address', () => {
    const r = parse({
      eventType: 'Bounce',
      mail,
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [
          {
            emailAddress: 'nguyen.van.an@example.vn',
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 <nguyen.van.an@example.vn>: Recipient address rejected: user unknown',
          },
        ],
        timestamp: '2026-12-02T01:00:03.000Z',
        feedbackId: '0100018c-feedback-000000',
        reportingMTA: 'dsn; a8-70.smtp-out.amazonses.com',
      },
    });
    expect(r).toEqual({
      messageId: MESSAGE_ID,
      receipt: {
        status: 'failed',
        at: '2026-12-02T01:00:03.000Z',
        detail: 'bounce: Permanent/General — 550 5.1.1 <address>: Recipient address rejected: user unknown',
      },
    });
    expect(JSON.stringify(r)).not.toContain('nguyen.van.an');
  });

  it('a Transient bounce also fails it (SES stopped retrying), and says Transient', () => {
    const r = parse({
      eventType: 'Bounce',
      mail,
      bounce: {
        bounceType: 'Transient',
        bounceSubType: 'MailboxFull',
        bouncedRecipients: [{ emailAddress: 'nguyen.van.an@example.vn', status: '4.2.2' }],
        timestamp: '2026-12-02T05:00:00.000Z',
      },
    });
    expect(r).toMatchObject({ receipt: { status: 'failed', detail: 'bounce: Transient/MailboxFull — 4.2.2' } });
  });

  it('a Complaint fails it with the feedback type; a Reject and a Rendering Failure at the send time', () => {
    expect(
      parse({
        eventType: 'Complaint',
        mail,
        complaint: {
          complainedRecipients: [{ emailAddress: 'nguyen.van.an@example.vn' }],
          timestamp: '2026-12-02T02:00:00.000Z',
          feedbackId: 'f',
          complaintFeedbackType: 'abuse',
        },
      }),
    ).toEqual({ messageId: MESSAGE_ID, receipt: { status: 'failed', at: '2026-12-02T02:00:00.000Z', detail: 'complaint: abuse' } });
    expect(parse({ eventType: 'Reject', mail, reject: { reason: 'Bad content' } })).toEqual({
      messageId: MESSAGE_ID,
      receipt: { status: 'failed', at: mail.timestamp, detail: 'reject: Bad content' },
    });
    expect(
      parse({
        eventType: 'Rendering Failure',
        mail,
        failure: { errorMessage: "Attribute 'name' is not present in the rendering data.", templateName: 'MyTemplate' },
      }),
    ).toEqual({
      messageId: MESSAGE_ID,
      receipt: {
        status: 'failed',
        at: mail.timestamp,
        detail: "rendering failure: Attribute 'name' is not present in the rendering data.",
      },
    });
  });

  it('reads the older notification form (notificationType) the same way', () => {
    const bounce = parse({
      notificationType: 'Bounce',
      mail,
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'NoEmail',
        bouncedRecipients: [{ emailAddress: 'x@example.vn', diagnosticCode: 'smtp; 550 mailbox x@example.vn does not exist' }],
        timestamp: '2026-12-02T01:00:04Z',
      },
    });
    expect(bounce).toEqual({
      messageId: MESSAGE_ID,
      receipt: {
        status: 'failed',
        at: '2026-12-02T01:00:04.000Z',
        detail: 'bounce: Permanent/NoEmail — 550 mailbox <address> does not exist',
      },
    });
    expect(parse({ notificationType: 'Delivery', mail, delivery: { timestamp: '2026-12-02T01:00:05.000Z' } })).toMatchObject({
      receipt: { status: 'delivered', at: '2026-12-02T01:00:05.000Z' },
    });
    expect(parse({ notificationType: 'Complaint', mail, complaint: {} })).toMatchObject({
      receipt: { status: 'failed', at: mail.timestamp, detail: 'complaint' },
    });
  });

  it('falls back to the send time, then to SNS’s time, when the event’s own time is missing or not a time', () => {
    expect(parse({ eventType: 'Delivery', mail, delivery: { timestamp: 'yesterday' } })).toMatchObject({ receipt: { at: mail.timestamp } });
    expect(parse({ eventType: 'Delivery', mail: { messageId: MESSAGE_ID }, delivery: {} })).toMatchObject({ receipt: { at: SNS_AT } });
  });

  it('reads the outbox item a Send event names (our tag), and only a well-formed one', () => {
    const tagged = (value: unknown) => ({ eventType: 'Send', mail: { ...mail, tags: { ...mail.tags, 'kyso-outbox': value } }, send: {} });
    expect(parse(tagged(['dDEjZTEjMDAwMDAwMDQjMDAyI2M0']))).toEqual({
      messageId: MESSAGE_ID,
      outboxRef: 'dDEjZTEjMDAwMDAwMDQjMDAyI2M0',
      at: mail.timestamp,
    });
    expect(parse(tagged(['has spaces']))).toBe('ignored_event');
    expect(parse(tagged('not-a-list'))).toBe('ignored_event');
    expect(parse(tagged([]))).toBe('ignored_event');
  });

  it('ignores what is not a receipt, and junk', () => {
    expect(parse({ eventType: 'Send', mail, send: {} })).toBe('ignored_event');
    expect(parse({ eventType: 'Open', mail, open: {} })).toBe('ignored_event');
    expect(parse({ eventType: 'DeliveryDelay', mail, deliveryDelay: {} })).toBe('ignored_event');
    expect(parse({ notificationType: 'AmazonSnsSubscriptionSucceeded', message: 'ok' })).toBe('no_message_id');
    expect(parse({ eventType: 'Bounce', mail: { messageId: 'has spaces/and slashes' }, bounce: {} })).toBe('no_message_id');
    expect(parse({ eventType: 'Bounce', mail: { messageId: 42 } })).toBe('no_message_id');
    expect(parse(['Bounce'])).toBe('not_json');
    expect(parseSesEvent('{not json', SNS_AT)).toBe('not_json');
    expect(parseSesEvent('null', SNS_AT)).toBe('not_json');
  });
});

describe('redactDetail', () => {
  it('cuts addresses (bare or bracketed) and control characters out, and keeps it short', () => {
    expect(redactDetail('550 5.1.1 RCPT TO:<an.nguyen+hr@cong-ty.example.vn> user unknown (an@x.vn)')).toBe(
      '550 5.1.1 RCPT TO:<address> user unknown (<address>)',
    );
    expect(redactDetail('line1\r\nline2\u200b\u0007end')).toBe('line1 line2 end');
    expect(redactDetail('x'.repeat(500))).toHaveLength(200);
  });
});

describe('readSnsNotifications', () => {
  const record = (Message: unknown, Timestamp?: string) => ({
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:ap-southeast-1:123456789012:kyso-mail-events:1',
    Sns: {
      Type: 'Notification',
      MessageId: 'sns-1',
      TopicArn: 'arn:aws:sns:ap-southeast-1:123456789012:kyso-mail-events',
      Message,
      Timestamp,
    },
  });

  it('gives each record’s message and SNS time', () => {
    expect(readSnsNotifications({ Records: [record('{"a":1}', '2026-12-02T01:00:09.000Z'), record('x')] }, 'NOW')).toEqual([
      { message: '{"a":1}', publishedAt: '2026-12-02T01:00:09.000Z' },
      { message: 'x', publishedAt: 'NOW' },
    ]);
  });

  it.each([
    ['no body', {}],
    ['not an object', 'Records'],
    ['no records', { Records: [] }],
    ['records not a list', { Records: { Sns: {} } }],
    ['a message that is not a string', { Records: [record({ eventType: 'Bounce' })] }],
    ['too many records', { Records: Array.from({ length: 101 }, () => record('{}')) }],
  ])('refuses an event that is not SNS’s shape (%s) with bad_request', (_name, event) => {
    let error: unknown;
    try {
      readSnsNotifications(event, 'NOW');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('bad_request');
  });
});
