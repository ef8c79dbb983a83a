import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { call, uniqueEmail } from '../support/api.js';
import { latestPhoneToken, messagesTo, uniquePhone } from '../support/phone.js';
import { createAndSend, devKey, type ErrorBody, getEnvelope, signWith, workflowJson } from '../support/workflow.js';
import { ZNS_SCENARIO } from '../support/zns-test-server.js';

interface AuditBody {
  events: { action: string; data?: Record<string, unknown> }[];
}
const auditOf = async (id: string) => (await call<AuditBody>('GET', `/v1/envelopes/${id}/audit`, { key: devKey() })).body.events;
const deliveriesOf = async (id: string) =>
  (
    await call<{ deliveries: { recipientId: string; channel: string; kind: string; status: string }[] }>(
      'GET',
      `/v1/envelopes/${id}/deliveries`,
      { key: devKey() },
    )
  ).body.deliveries;

describe('phone numbers and channels', () => {
  it('a phone-only signer is invited by SMS (unaccented, one segment, with the link) and signs', async () => {
    const phone = uniquePhone();
    const national = `0${phone.slice(3, 6)} ${phone.slice(6, 9)} ${phone.slice(9)}`;
    const env = await createAndSend(devKey(), [{ name: 'Phạm Thị Hồng Đào', phone: national }]);
    expect(env.recipients[0]).toMatchObject({ phone, email: '' });
    const [sms] = await messagesTo('sms', phone);
    expect(sms?.kind).toBe('invitation');
    expect(sms?.text).toMatch(/^[\x20-\x7e\n]+$/);
    expect(sms?.text).toContain('moi ban ky "Hop dong lao dong"');
    expect(sms?.text.length).toBeLessThanOrEqual(160);
    const token = await latestPhoneToken('sms', phone);
    const signed = await signWith(token, 'Phạm Thị Hồng Đào');
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect((await getEnvelope(devKey(), env.id)).body.status).toBe('completed');
    const events = await auditOf(env.id);
    expect(events.find((e) => e.action === 'recipient.notified')?.data?.channel).toBe('sms');
    expect(events.find((e) => e.action === 'recipient.signed')?.data?.method).toBe('sms-link');
    // The completed copy goes by SMS too.
    expect((await messagesTo('sms', phone)).map((m) => m.kind)).toEqual(['invitation', 'completed']);
    expect((await deliveriesOf(env.id)).map((d) => `${d.channel}:${d.kind}:${d.status}`)).toEqual([
      'sms:invitation:sent',
      'sms:completed:sent',
    ]);
  });

  it('SMS receipts: SNS delivery-status log lines, as CloudWatch Logs hands them over, mark each message delivered or failed', async () => {
    const phone = uniquePhone();
    const env = await createAndSend(devKey(), [{ name: 'Đỗ Thị Huệ', phone }]);
    await messagesTo('sms', phone);
    const [invitation] = await deliveriesOf(env.id);
    expect(invitation?.status).toBe('sent');
    const messageId = (invitation as unknown as { messageId: string }).messageId;
    // What CloudWatch Logs passes a subscription's Lambda: base64 of gzipped JSON, one log event per SNS line.
    const logsEvent = (messageType: string, lines: string[]) => ({
      awslogs: {
        data: gzipSync(
          JSON.stringify({
            messageType,
            owner: '123456789012',
            logGroup: 'sns/ap-southeast-1/123456789012/DirectPublishToPhoneNumber/Failure',
            logStream: 'stream',
            subscriptionFilters: ['kyso-sms-status'],
            logEvents: lines.map((message, i) => ({ id: String(i), timestamp: Date.parse('2026-12-01T08:00:00Z'), message })),
          }),
        ).toString('base64'),
      },
    });
    const line = (id: string, status: string, providerResponse: string, timestamp = '2026-12-01 08:40:34.558') =>
      JSON.stringify({
        notification: { messageId: id, timestamp },
        delivery: { destination: phone, smsType: 'Transactional', providerResponse, dwellTimeMs: 512, priceInUSD: 0.02 },
        status,
      });
    // The control message CloudWatch sends when the filter is made changes nothing.
    expect((await call('POST', '/dev/sns-delivery-status', { json: logsEvent('CONTROL_MESSAGE', ['CWL CONTROL MESSAGE']) })).body).toEqual({
      applied: 0,
      unmatched: 0,
      skipped: 1,
    });
    const failed = await call('POST', '/dev/sns-delivery-status', {
      json: logsEvent('DATA_MESSAGE', [
        line(messageId, 'FAILURE', 'Phone is currently unreachable/unavailable'),
        line('00000000-0000-4000-8000-000000000000', 'SUCCESS', 'Message has been accepted by phone carrier'),
        'not json',
      ]),
    });
    expect(failed.body).toEqual({ applied: 1, unmatched: 1, skipped: 1 });
    const after = (await deliveriesOf(env.id))[0] as unknown as { status: string; detail?: string; updatedAt: string };
    expect(after).toMatchObject({ status: 'failed', detail: 'Phone is currently unreachable/unavailable' });
    const events = await auditOf(env.id);
    const audited = events.find((e) => e.action === 'recipient.message_failed');
    expect(audited?.data).toMatchObject({ channel: 'sms', provider: 'sns', messageId, reportedAt: '2026-12-01T08:40:34.558Z' });
    // The number is never copied from the log line into the record or the audit trail.
    expect(JSON.stringify(events)).not.toContain(phone.slice(3));
    // A later success (the operator retried) replaces the failure; the same line again (Lambda retrying the batch) applies once.
    const applied = [];
    for (let i = 0; i < 2; i++) {
      const r = await call('POST', '/dev/sns-delivery-status', {
        json: logsEvent('DATA_MESSAGE', [
          line(messageId, 'SUCCESS', 'Message has been accepted by phone carrier', '2026-12-01 08:45:00.000'),
        ]),
      });
      applied.push((r.body as { applied: number }).applied);
    }
    expect(applied).toEqual([1, 0]);
    const delivered = (await deliveriesOf(env.id))[0] as unknown as { status: string; detail?: string };
    expect(delivered.status).toBe('delivered');
    expect(delivered.detail).toBeUndefined();
    expect((await auditOf(env.id)).filter((e) => e.action === 'recipient.message_delivered')).toHaveLength(1);
    // Not a subscription event: 400, nothing applied.
    for (const bad of [{}, { awslogs: { data: 'bm90IGd6aXA=' } }, { awslogs: { data: gzipSync('{"x":1}').toString('base64') } }]) {
      const r = await call<ErrorBody>('POST', '/dev/sns-delivery-status', { json: bad });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    }
  });

  it('Zalo keeps the diacritics, and its delivery receipt (signed callback) updates the delivery status', async () => {
    const phone = uniquePhone();
    const env = await createAndSend(devKey(), [{ name: 'Lê Văn Tám', phone, channels: ['zalo'] }]);
    const [zalo] = await messagesTo('zalo', phone);
    expect(zalo?.params).toMatchObject({ customer_name: 'Lê Văn Tám', title: 'Hợp đồng lao động' });
    expect(await messagesTo('sms', phone)).toEqual([]);
    let status = '';
    // The receipt is the test ZNS server's callback after delivery: bounded by time, not by a count of polls.
    for (const until = Date.now() + 20_000; Date.now() < until && status !== 'delivered'; ) {
      status = (await deliveriesOf(env.id))[0]?.status ?? '';
      if (status !== 'delivered') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('delivered');
    expect((await auditOf(env.id)).map((e) => e.action)).toContain('recipient.message_delivered');
    const token = await latestPhoneToken('zalo', phone);
    expect((await signWith(token, 'Lê Văn Tám')).status).toBe(200);
  });

  it('a Zalo receipt that arrives before the send call returns is kept and applied once', async () => {
    const phone = uniquePhone(ZNS_SCENARIO.receiptFirst);
    const env = await createAndSend(devKey(), [{ name: 'Vũ Thị Lan', phone, channels: ['zalo'] }]);
    expect(await messagesTo('zalo', phone)).toHaveLength(1);
    // messagesTo waited for the outbox: the message is recorded, and the parked receipt applied with it.
    expect((await deliveriesOf(env.id)).map((d) => d.status)).toEqual(['delivered']);
    expect((await auditOf(env.id)).filter((e) => e.action === 'recipient.message_delivered')).toHaveLength(1);
  });

  it.each([
    ['0001', 'not_on_zalo'],
    ['0002', 'template_refused'],
    ['0003', 'unavailable'],
  ])('Zalo failing (…%s: %s) falls back to SMS, audited', async (ending, reason) => {
    const phone = uniquePhone(ending);
    const env = await createAndSend(devKey(), [{ name: 'Ngô Bảo Châu', phone, channels: ['zalo'] }]);
    expect(await messagesTo('zalo', phone)).toEqual([]);
    const token = await latestPhoneToken('sms', phone);
    const events = await auditOf(env.id);
    expect(events.find((e) => e.action === 'recipient.message_fallback')?.data).toMatchObject({ from: 'zalo', to: 'sms', reason });
    expect(events.find((e) => e.action === 'recipient.notified')?.data?.channel).toBe('sms');
    expect((await signWith(token, 'Ngô Bảo Châu')).status).toBe(200);
  });

  it('email and SMS both, when asked', async () => {
    const phone = uniquePhone();
    const email = uniqueEmail('both');
    const env = await createAndSend(devKey(), [{ name: 'Hai Kênh', email, phone, channels: ['email', 'sms'] }]);
    expect((await auditOf(env.id)).find((e) => e.action === 'recipient.notified')?.data?.channel).toBe('email+sms');
    expect(await messagesTo('sms', phone)).toHaveLength(1);
  });

  it('one-time codes by SMS: verified, then signed; per-recipient and per-number limits survive a resend and a new envelope', async () => {
    const phone = uniquePhone();
    const env = await createAndSend(devKey(), [{ name: 'Mã SMS', phone, auth: { otp: true, otpChannel: 'sms' } }]);
    const token = await latestPhoneToken('sms', phone);
    const view = await call<{ verification: Record<string, unknown> }>('GET', `/v1/sign/${token}`);
    expect(view.body.verification).toEqual({ method: 'otp', verified: false, channel: 'sms' });
    expect((await signWith(token, 'Mã SMS')).status).toBe(401);
    const sent = await call<{ channel: string }>('POST', `/v1/sign/${token}/otp`);
    expect(sent.status).toBe(202);
    expect(sent.body.channel).toBe('sms');
    const otp = (await messagesTo('sms', phone)).filter((m) => m.kind === 'otp');
    const code = /(\d{6})/.exec(otp.at(-1)?.text ?? '')?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    expect((await call('POST', `/v1/sign/${token}/verify`, { json: { code } })).status).toBe(200);
    expect((await signWith(token, 'Mã SMS')).status).toBe(200);
    const events = await auditOf(env.id);
    expect(events.find((e) => e.action === 'recipient.otp_sent')?.data?.channel).toBe('sms');
    expect(events.find((e) => e.action === 'recipient.signed')?.data?.method).toBe('sms-link+sms-otp');

    // Another envelope to the same number: 3 codes for this recipient, then a resend, and the 4th is still refused.
    const other = await createAndSend(devKey(), [{ name: 'Mã SMS', phone, auth: { otp: true, otpChannel: 'sms' } }]);
    const t2 = await latestPhoneToken('sms', phone);
    for (let i = 0; i < 3; i++) expect((await call('POST', `/v1/sign/${t2}/otp`)).status).toBe(202);
    expect((await call('POST', `/v1/envelopes/${other.id}/recipients/${other.recipients[0]?.id}/resend`, { key: devKey() })).status).toBe(
      200,
    );
    const t3 = await latestPhoneToken('sms', phone);
    expect(t3).not.toBe(t2);
    const third = await call<ErrorBody>('POST', `/v1/sign/${t3}/otp`);
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('rate_limited');
    // A third envelope: this recipient is new, but the number has had 4 codes; one more and it is done for the hour.
    await createAndSend(devKey(), [{ name: 'Mã SMS', phone, auth: { otp: true, otpChannel: 'sms' } }]);
    const t4 = await latestPhoneToken('sms', phone);
    expect((await call('POST', `/v1/sign/${t4}/otp`)).status).toBe(202);
    const limited = await call<ErrorBody>('POST', `/v1/sign/${t4}/otp`);
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(/phone number/);
  });

  it.each([
    [{ phone: '0123 456 789' }, 'invalid_phone'],
    [{ phone: '+1 415 555 0100' }, 'invalid_phone'],
    [{ phone: '091234567' }, 'invalid_phone'],
    [{ phone: 'abc' }, 'invalid_phone'],
    [{ phone: '0241 234 5678' }, 'invalid_phone'],
    [{ email: uniqueEmail('ch'), channels: ['sms'] }, 'validation_failed'],
    [{ phone: '0912345678', channels: ['email'] }, 'validation_failed'],
    [{ phone: '0912345678', channels: ['fax'] }, 'validation_failed'],
    [{ phone: '0912345678', auth: { otp: true, otpChannel: 'email' } }, 'validation_failed'],
    [{ phone: '0912345678', identity: { required: true, idNumber: '12345' } }, 'invalid_id_number'],
    [{ phone: '0912345678', identity: { required: true, idNumber: '999099012345' } }, 'invalid_id_number'],
    [{}, 'validation_failed'],
  ])('refuses %j with 400 %s', async (who, code) => {
    const r = await call<ErrorBody>('POST', '/v1/envelopes', { key: devKey(), json: workflowJson([{ name: 'Sai Số', ...who }]) });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.code).toBe(code);
  });

  it('accepts the usual ways of writing one number, all stored as E.164', async () => {
    for (const form of ['0912 345 678', '+84912345678', '84912345678', '0084 912.345.678', '(091) 234-5678']) {
      const r = await call<{ recipients: { phone: string }[] }>('POST', '/v1/envelopes', {
        key: devKey(),
        json: workflowJson([{ name: 'Đúng Số', phone: form }]),
      });
      expect(r.status, form).toBe(201);
      expect(r.body.recipients[0]?.phone).toBe('+84912345678');
    }
  });
});
