import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, createTenant, latestLinkToken, outboxDrained, uniqueEmail } from '../support/api.js';
import { uniquePhone } from '../support/phone.js';
import { createAndSend, type EnvelopeBody, signWith, workflowJson } from '../support/workflow.js';

interface Dashboard {
  envelopesRead: number;
  truncated: boolean;
  counts: Record<string, number>;
  waiting: { total: number; items: { envelopeId: string; recipientId: string; name: string; status: string; waitingHours: number }[] };
  expiring: { withinDays: number; total: number; items: { envelopeId: string; hoursLeft: number; waitingOn: string[] }[] };
  deliveryFailures: { total: number; items: { envelopeId: string; channel: string; reason: string; fellBackTo?: string; kind: string }[] };
  labour: { pending: number; late: number; overdue: number };
  activity: { days: { date: string; completed: number; sent: number }[]; completed: number; chartSvg: string };
}

const dashboard = (key: string, lang?: string) => call<Dashboard>('GET', `/v1/dashboard${lang ? `?lang=${lang}` : ''}`, { key });
/** What SNS's delivery-status log subscription delivers (POST /dev/sns-delivery-status runs the same code locally). */
const snsFailure = (messageId: string, phone: string) => {
  const line = JSON.stringify({
    notification: { messageId, timestamp: new Date().toISOString().replace('T', ' ').replace('Z', '') },
    delivery: { destination: phone, smsType: 'Transactional', providerResponse: 'Phone is currently unreachable/unavailable' },
    status: 'FAILURE',
  });
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: 'sns/ap-southeast-1/123456789012/DirectPublishToPhoneNumber/Failure',
    logStream: 'stream',
    subscriptionFilters: ['kyso-sms-status'],
    logEvents: [{ id: '1', timestamp: Date.now(), message: line }],
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(data))).toString('base64') } };
};
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** The console home's numbers over HTTP, for a tenant of its own (exact counts) and another that sees none of them. */
describe('GET /v1/dashboard', () => {
  let key: string;
  let other: string;
  const ids: Record<string, string> = {};
  const emails = { a: uniqueEmail('dash-a'), a2: uniqueEmail('dash-a2'), b: uniqueEmail('dash-b'), c: uniqueEmail('dash-c') };

  beforeAll(async () => {
    [{ apiKey: key }, { apiKey: other }] = await Promise.all([createTenant('Công ty Bảng Điều Khiển'), createTenant('Công ty Khác')]);
    const draft = await call<EnvelopeBody>('POST', '/v1/envelopes', {
      key,
      json: workflowJson([{ name: 'Nháp', email: uniqueEmail('draft') }]),
    });
    ids.draft = draft.body.id;
    // Two in a row: the first's turn now, expiring in 3 days.
    ids.a = (
      await createAndSend(
        key,
        [
          { name: 'Nguyễn Thị Ánh', email: emails.a, order: 1 },
          { name: 'Trần Văn Bảo', email: emails.a2, order: 2 },
        ],
        { expiresAt: inDays(3) },
      )
    ).id;
    ids.b = (await createAndSend(key, [{ name: 'Lê Quốc Cường', email: emails.b }], { expiresAt: inDays(20) })).id;
    ids.c = (await createAndSend(key, [{ name: 'Phạm Minh Đức', email: emails.c }])).id;
    const voided = await createAndSend(key, [{ name: 'Hủy Bỏ', email: uniqueEmail('void') }]);
    ids.voided = voided.id;
    expect((await call('POST', `/v1/envelopes/${voided.id}/void`, { key, json: { reason: 'Sai thông tin' } })).status).toBe(200);
    // Zalo refuses (the test ZNS server: a number ending 0001 is not on Zalo): the invitation goes by SMS, and it is a failure.
    ids.zalo = (await createAndSend(key, [{ name: 'Võ Thị Em', phone: uniquePhone('0001'), channels: ['zalo'] }])).id;
    expect((await signWith(await latestLinkToken(emails.c), 'Phạm Minh Đức')).status).toBe(200);
    // An SMS the carrier could not deliver (SNS's delivery-status log says FAILURE).
    const smsPhone = uniquePhone();
    ids.sms = (await createAndSend(key, [{ name: 'Đặng Văn Gia', phone: smsPhone }])).id;
    await outboxDrained();
    const [sms] = (await call<{ deliveries: { messageId: string }[] }>('GET', `/v1/envelopes/${ids.sms}/deliveries`, { key })).body
      .deliveries;
    const applied = await call('POST', '/dev/sns-delivery-status', { json: snsFailure(sms?.messageId as string, smsPhone) });
    expect(applied.body).toMatchObject({ applied: 1 });
  });

  it('counts envelopes by status', async () => {
    const r = await dashboard(key);
    expect(r.status).toBe(200);
    expect(r.body.counts).toEqual({ draft: 1, sent: 4, completed: 1, declined: 0, voided: 1, expired: 0, total: 7 });
    expect(r.body).toMatchObject({ envelopesRead: 7, truncated: false });
  });

  it('says whose turn it is (only the first of a sequence) and what expires within 7 days', async () => {
    const { body } = await dashboard(key);
    const waiting = body.waiting.items.map((w) => `${w.envelopeId}:${w.name}:${w.status}`).sort();
    expect(waiting).toEqual(
      [
        `${ids.a}:Nguyễn Thị Ánh:notified`,
        `${ids.b}:Lê Quốc Cường:notified`,
        `${ids.zalo}:Võ Thị Em:notified`,
        `${ids.sms}:Đặng Văn Gia:notified`,
      ].sort(),
    );
    expect(body.waiting.items.every((w) => w.waitingHours >= 0 && w.waitingHours < 1)).toBe(true);
    expect(body.expiring.withinDays).toBe(7);
    expect(body.expiring.items).toHaveLength(1);
    expect(body.expiring.items[0]).toMatchObject({ envelopeId: ids.a, waitingOn: ['Nguyễn Thị Ánh'] });
    expect(body.expiring.items[0]?.hoursLeft).toBeGreaterThan(71);
    expect(body.expiring.items[0]?.hoursLeft).toBeLessThanOrEqual(72);
  });

  it('lists the failed SMS (carrier receipt) and the Zalo failure with its SMS fallback, newest first', async () => {
    const { body } = await dashboard(key);
    expect(body.deliveryFailures.total).toBe(2);
    expect(body.deliveryFailures.items[0]).toMatchObject({
      envelopeId: ids.sms,
      channel: 'sms',
      kind: 'invitation',
      reason: 'Phone is currently unreachable/unavailable',
    });
    expect(body.deliveryFailures.items[1]).toMatchObject({
      envelopeId: ids.zalo,
      channel: 'zalo',
      kind: 'invitation',
      reason: 'not_on_zalo',
      fellBackTo: 'sms',
    });
  });

  it("draws today's completion in the 30-day activity, in the asked language", async () => {
    const vi = (await dashboard(key)).body;
    expect(vi.activity.days).toHaveLength(30);
    expect(vi.activity.completed).toBe(1);
    // Today's (or, just after midnight in Vietnam, yesterday's): summed so the test holds at any hour.
    expect(vi.activity.days.reduce((n, d) => n + d.completed, 0)).toBe(1);
    expect(vi.activity.days.reduce((n, d) => n + d.sent, 0)).toBe(6);
    expect(vi.activity.days.slice(-2).some((d) => d.completed === 1)).toBe(true);
    expect(vi.activity.chartSvg).toContain('Phong bì hoàn tất mỗi ngày');
    expect((await dashboard(key, 'en')).body.activity.chartSvg).toContain('Envelopes completed per day');
    expect((await dashboard(key, 'fr')).status).toBe(400);
  });

  it('another tenant sees none of it, and without a key there is nothing', async () => {
    const r = await dashboard(other);
    expect(r.status).toBe(200);
    expect(r.body.counts.total).toBe(0);
    expect(r.body.waiting.total + r.body.expiring.total + r.body.deliveryFailures.total + r.body.activity.completed).toBe(0);
    expect((await call('GET', '/v1/dashboard')).status).toBe(401);
  });
});
