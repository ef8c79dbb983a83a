import { beforeAll, describe, expect, it } from 'vitest';
import { call, createTenant, mailsTo, outboxDrained, uniqueEmail } from '../support/api.js';
import { BOUNCE_REASON, sesBounce as bounce, sesDelivery as delivery, sesMail as mailPart, snsEvent } from '../support/ses-events.js';
import { createAndSend, type ErrorBody } from '../support/workflow.js';

interface Delivery {
  recipientId: string;
  channel: string;
  kind: string;
  status: string;
  messageId: string;
  updatedAt: string;
  detail?: string;
}
interface Failure {
  envelopeId: string;
  recipientId: string;
  channel: string;
  kind: string;
  reason: string;
}
interface AuditEvent {
  action: string;
  data?: Record<string, unknown>;
}

const post = (body: unknown) =>
  call<{ applied: number; unmatched: number; skipped: number }>('POST', '/dev/ses-events', {
    ...(typeof body === 'string' ? { body, headers: { 'content-type': 'application/json' } } : { json: body }),
  });

/**
 * Email receipts (issue 18): SES's bounce/complaint/delivery events, as its configuration set's topic
 * hands them to the Lambda, through POST /dev/ses-events (moto publishes no SES events) — the same code.
 */
describe('email delivery receipts from SES events', () => {
  let key: string;
  let envelopeId: string;
  const emails = { bounced: uniqueEmail('bounce-me'), fine: uniqueEmail('delivered') };
  const ids: Record<'bounced' | 'fine', { recipientId: string; messageId: string }> = {} as never;
  const deliveries = async () =>
    (await call<{ deliveries: Delivery[] }>('GET', `/v1/envelopes/${envelopeId}/deliveries`, { key })).body.deliveries;
  const failures = async () =>
    (await call<{ deliveryFailures: { total: number; items: Failure[] } }>('GET', '/v1/dashboard', { key })).body.deliveryFailures;
  const audit = async () => (await call<{ events: AuditEvent[] }>('GET', `/v1/envelopes/${envelopeId}/audit`, { key })).body.events;

  beforeAll(async () => {
    ({ apiKey: key } = await createTenant('Công ty Thư Báo Lỗi'));
    const env = await createAndSend(key, [
      { name: 'Ngô Thị Bống', email: emails.bounced, order: 1 },
      { name: 'Đinh Văn Tới', email: emails.fine, order: 1 },
    ]);
    envelopeId = env.id;
    await outboxDrained({ envelopeId });
    for (const who of ['bounced', 'fine'] as const) {
      const recipientId = env.recipients.find((r) => r.email === emails[who])?.id as string;
      const [mine] = (await deliveries()).filter((d) => d.recipientId === recipientId);
      ids[who] = { recipientId, messageId: mine?.messageId as string };
    }
  });

  it('records each invitation email as sent, with the MessageId SES returned', async () => {
    const list = await deliveries();
    expect(list.map((d) => `${d.channel}:${d.kind}:${d.status}`)).toEqual(['email:invitation:sent', 'email:invitation:sent']);
    expect(ids.bounced.messageId).not.toBe(ids.fine.messageId);
    // The id is the one SendEmail answered with (the dev outbox keeps what the mailer returned).
    for (const who of ['bounced', 'fine'] as const) {
      const [mail] = await mailsTo(emails[who]);
      expect(mail?.messageId).toBe(ids[who].messageId);
    }
  });

  it('applies a Permanent bounce and a Delivery: envelope deliveries, dashboard failures (email), audit', async () => {
    const at = new Date().toISOString();
    expect((await post(bounce(ids.bounced.messageId, emails.bounced, at))).body).toEqual({ applied: 1, unmatched: 0, skipped: 0 });
    expect((await post(delivery(ids.fine.messageId, emails.fine, at))).body).toEqual({ applied: 1, unmatched: 0, skipped: 0 });

    const byRecipient = new Map((await deliveries()).map((d) => [d.recipientId, d]));
    expect(byRecipient.get(ids.bounced.recipientId)).toMatchObject({
      channel: 'email',
      status: 'failed',
      updatedAt: at,
      detail: BOUNCE_REASON,
    });
    expect(byRecipient.get(ids.fine.recipientId)).toMatchObject({ channel: 'email', status: 'delivered', updatedAt: at });
    expect(byRecipient.get(ids.fine.recipientId)?.detail).toBeUndefined();

    const dash = await failures();
    expect(dash.total).toBe(1);
    expect(dash.items[0]).toMatchObject({
      envelopeId,
      recipientId: ids.bounced.recipientId,
      channel: 'email',
      kind: 'invitation',
      reason: BOUNCE_REASON,
    });
    expect(JSON.stringify(dash)).not.toContain(emails.bounced);

    const events = await audit();
    const failed = events.filter((e) => e.action === 'recipient.message_failed');
    const delivered = events.filter((e) => e.action === 'recipient.message_delivered');
    expect(failed.map((e) => e.data)).toEqual([
      expect.objectContaining({
        recipientId: ids.bounced.recipientId,
        channel: 'email',
        provider: 'ses',
        messageId: ids.bounced.messageId,
      }),
    ]);
    expect(delivered.map((e) => e.data)).toEqual([
      expect.objectContaining({ recipientId: ids.fine.recipientId, channel: 'email', provider: 'ses', messageId: ids.fine.messageId }),
    ]);
    expect(JSON.stringify(failed)).not.toContain(emails.bounced);
  });

  it('the same event again, an older one, and an unknown message id change nothing', async () => {
    const before = { deliveries: await deliveries(), failures: await failures(), audit: (await audit()).length };
    const [bounced] = before.deliveries.filter((d) => d.recipientId === ids.bounced.recipientId);
    // SNS delivers at least once: the same bounce again.
    expect((await post(bounce(ids.bounced.messageId, emails.bounced, bounced?.updatedAt as string))).body).toEqual({
      applied: 0,
      unmatched: 1,
      skipped: 0,
    });
    // Out of order: a bounce reported as earlier than the delivery already applied does not undo it.
    expect((await post(bounce(ids.fine.messageId, emails.fine, '2026-01-01T00:00:00.000Z'))).body).toMatchObject({ applied: 0 });
    // A message this deployment never sent (another sender of the account, or forged).
    expect(
      (await post(delivery('0100019300000000-unknown-0000-0000-000000000000-000000', 'x@example.vn', new Date().toISOString()))).body,
    ).toEqual({ applied: 0, unmatched: 1, skipped: 0 });
    // Not a receipt (SES also publishes Send/Open/Click when asked).
    expect(
      (await post(snsEvent({ eventType: 'Send', mail: mailPart(ids.fine.messageId, emails.fine, new Date().toISOString()) }))).body,
    ).toEqual({
      applied: 0,
      unmatched: 0,
      skipped: 1,
    });
    expect(await deliveries()).toEqual(before.deliveries);
    expect(await failures()).toEqual(before.failures);
    expect((await audit()).length).toBe(before.audit);
  });

  it.each([
    ['not JSON', '{"Records": ['],
    ['not an SNS event', { eventType: 'Bounce' }],
    ['a record without a message', { Records: [{ Sns: { Message: { eventType: 'Bounce' } } }] }],
  ])('refuses a malformed body (%s) with 400 and a code', async (_name, body) => {
    const r = (await post(body)) as unknown as { status: number; body: ErrorBody };
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('bad_request');
  });
});
