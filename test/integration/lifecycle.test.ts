import { describe, expect, it } from 'vitest';
import { call, outboxDrained, uniqueEmail } from '../support/api.js';
import {
  createAndSend,
  devKey,
  type ErrorBody,
  getEnvelope,
  latestLinkToken,
  mailsTo,
  runScheduler,
  signWith,
  subjects,
} from '../support/workflow.js';

const person = (prefix: string, name: string) => ({ name, email: uniqueEmail(prefix) });

const expectDead = async (token: string, code: string, pageText: string) => {
  const api = await call<ErrorBody>('GET', `/v1/sign/${token}`);
  expect(api.status, JSON.stringify(api.body)).toBeGreaterThanOrEqual(400);
  expect(api.status).toBeLessThan(500);
  expect(api.body.error.code).toBe(code);
  const sign = await signWith(token, 'X');
  expect(sign.body.error.code).toBe(code);
  const page = await call<string>('GET', `/s/${token}`);
  expect(page.status).toBe(api.status);
  expect(page.body).toContain(pageText);
};

describe('decline', () => {
  it('ends the envelope, kills every link and tells the sender and everyone who had acted', async () => {
    const key = devKey();
    const sender = uniqueEmail('sender');
    const an = person('an', 'Nguyễn Văn An');
    const binh = person('binh', 'Lê Thị Bình');
    const env = await createAndSend(
      key,
      [
        { ...an, order: 1 },
        { ...binh, order: 2 },
      ],
      { senderEmail: sender },
    );
    const tokenAn = await latestLinkToken(an.email);
    expect((await signWith(tokenAn, an.name)).status).toBe(200);
    const tokenBinh = await latestLinkToken(binh.email);

    const noReason = await call<ErrorBody>('POST', `/v1/sign/${tokenBinh}/decline`, { json: {} });
    expect(noReason.status).toBe(400);
    const declined = await call<{ envelope: { status: string } }>('POST', `/v1/sign/${tokenBinh}/decline`, {
      json: { reason: 'Mức lương chưa đúng thỏa thuận' },
    });
    expect(declined.status).toBe(200);
    expect(declined.body.envelope.status).toBe('declined');

    const after = await getEnvelope(key, env.id);
    expect(after.body.status).toBe('declined');
    expect(after.body.statusReason).toBe('Mức lương chưa đúng thỏa thuận');
    expect(after.body.recipients.map((r) => r.status)).toEqual(['signed', 'declined']);
    expect((await subjects(sender)).some((s) => s.startsWith('Đã từ chối'))).toBe(true);
    expect((await subjects(an.email)).some((s) => s.startsWith('Đã từ chối'))).toBe(true);
    await expectDead(tokenBinh, 'envelope_declined', 'Tài liệu đã bị từ chối');
    await expectDead(tokenAn, 'envelope_declined', 'Tài liệu đã bị từ chối');
    const audit = await call<{ events: { action: string; data?: { reason?: string } }[] }>('GET', `/v1/envelopes/${env.id}/audit`, { key });
    expect(audit.body.events.find((e) => e.action === 'recipient.declined')?.data?.reason).toBe('Mức lương chưa đúng thỏa thuận');
  });
});

describe('void', () => {
  it('kills every link at once, tells the recipients, and cannot be done twice', async () => {
    const key = devKey();
    const a = person('va', 'Phạm Minh A');
    const b = person('vb', 'Trần Thu B');
    const env = await createAndSend(key, [a, b]);
    const [ta, tb] = [await latestLinkToken(a.email), await latestLinkToken(b.email)];
    expect((await call<ErrorBody>('POST', `/v1/envelopes/${env.id}/void`, { key, json: {} })).status).toBe(400);
    const voided = await call<{ status: string; statusReason: string }>('POST', `/v1/envelopes/${env.id}/void`, {
      key,
      json: { reason: 'Sai thông tin hợp đồng' },
    });
    expect(voided.status).toBe(200);
    expect(voided.body.status).toBe('voided');
    await expectDead(ta, 'envelope_voided', 'Tài liệu đã bị người gửi hủy');
    await expectDead(tb, 'envelope_voided', 'Tài liệu đã bị người gửi hủy');
    expect((await call<string>('GET', `/s/${ta}?lang=en`)).body).toContain('The sender voided this document');
    expect((await subjects(a.email)).some((s) => s.startsWith('Đã hủy'))).toBe(true);
    const twice = await call<ErrorBody>('POST', `/v1/envelopes/${env.id}/void`, { key, json: { reason: 'again' } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('invalid_state');
  });
});

describe('expiry', () => {
  it('expires lazily on the first access after expiresAt', async () => {
    const key = devKey();
    const sender = uniqueEmail('exp-sender');
    const a = person('ex', 'Đỗ Văn Hết');
    // Long enough for the send and its link email (now performed from the outbox) on a busy machine.
    const expiresAt = Date.now() + 10_000;
    const env = await createAndSend(key, [a], { expiresAt: new Date(expiresAt).toISOString(), senderEmail: sender });
    const token = await latestLinkToken(a.email);
    expect((await call('GET', `/v1/sign/${token}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 500));
    const listed = await call<{ items: { id: string; status: string }[] }>('GET', '/v1/envelopes?limit=100', { key });
    expect(listed.body.items.find((e) => e.id === env.id)?.status).toBe('expired');
    await expectDead(token, 'envelope_expired', 'Liên kết ký đã hết hạn');
    expect((await getEnvelope(key, env.id)).body.status).toBe('expired');
    expect((await subjects(sender)).filter((s) => s.startsWith('Đã hết hạn'))).toHaveLength(1);
  });

  it('is expired by the scheduler sweep without anyone looking', async () => {
    const key = devKey();
    const a = person('sw', 'Vũ Thị Quét');
    const expiresAt = new Date(Date.now() + 60 * 60_000);
    const env = await createAndSend(key, [a], { expiresAt: expiresAt.toISOString() });
    // The send's effects done, its entry in the open-envelopes index (what the sweep reads) among them.
    expect((await outboxDrained({ envelopeId: env.id })).owed).toBe(0);
    const early = await runScheduler('expiry', new Date(expiresAt.getTime() - 60_000));
    expect(early.status).toBe(200);
    const sweep = await runScheduler('expiry', new Date(expiresAt.getTime() + 60_000));
    expect(sweep.body.acted).toBeGreaterThanOrEqual(1);
    const audit = await call<{ events: { action: string }[] }>('GET', `/v1/envelopes/${env.id}/audit`, { key });
    expect(audit.body.events.map((e) => e.action)).toContain('envelope.expired');
    expect((await getEnvelope(key, env.id)).body.status).toBe('expired');
  });

  it('rejects an expiresAt in the past', async () => {
    const r = await call<ErrorBody>('POST', '/v1/envelopes', {
      key: devKey(),
      json: { ...(await import('../support/workflow.js')).workflowJson([person('p', 'P')]), expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(r.status).toBe(400);
  });
});

describe('reminders', () => {
  it('reminds after the delay, then at the interval, at most max times, with working links', async () => {
    const key = devKey();
    const a = person('rem', 'Hồ Thị Nhắc');
    const sentAt = Date.now();
    const env = await createAndSend(key, [a], { reminders: { delayHours: 1, intervalHours: 2, max: 2 } });
    const first = await latestLinkToken(a.email);
    const at = (h: number) => new Date(sentAt + h * 3600_000);
    await runScheduler('reminders', at(0.5));
    expect(await mailsTo(a.email)).toHaveLength(1);
    expect((await runScheduler('reminders', at(1.1))).body.acted).toBeGreaterThanOrEqual(1);
    expect(await subjects(a.email)).toHaveLength(2);
    expect((await subjects(a.email))[1]).toMatch(/^Nhắc nhở/);
    await runScheduler('reminders', at(2));
    expect(await mailsTo(a.email)).toHaveLength(2);
    await runScheduler('reminders', at(3.2));
    expect(await mailsTo(a.email)).toHaveLength(3);
    await runScheduler('reminders', at(9));
    expect(await mailsTo(a.email)).toHaveLength(3);
    // A reminder's link works, and so does the first one.
    const reminded = await latestLinkToken(a.email);
    expect(reminded).not.toBe(first);
    expect((await call('GET', `/v1/sign/${first}`)).status).toBe(200);
    expect((await signWith(reminded, a.name)).status).toBe(200);
    expect((await getEnvelope(key, env.id)).body.recipients[0]?.remindersSent).toBe(2);
  });

  it('sends none when the envelope says reminders: false', async () => {
    const a = person('norem', 'Không Nhắc');
    await createAndSend(devKey(), [a], { reminders: false });
    await runScheduler('reminders', new Date(Date.now() + 30 * 86400_000 - 60_000));
    expect(await mailsTo(a.email)).toHaveLength(1);
  });
});

describe('resend and change of email', () => {
  it('resend: a new link, and the old one dies', async () => {
    const key = devKey();
    const a = person('rs', 'Tạ Văn Gửi');
    const env = await createAndSend(key, [a]);
    const old = await latestLinkToken(a.email);
    const rid = env.recipients[0]?.id as string;
    expect((await call('POST', `/v1/envelopes/${env.id}/recipients/${rid}/resend`, { key })).status).toBe(200);
    const fresh = await latestLinkToken(a.email);
    expect(fresh).not.toBe(old);
    await expectDead(old, 'token_invalid', 'Liên kết ký không hợp lệ');
    expect((await call('GET', `/v1/sign/${fresh}`)).status).toBe(200);
    const unknown = await call<ErrorBody>('POST', `/v1/envelopes/${env.id}/recipients/nope/resend`, { key });
    expect(unknown.status).toBe(400);
  });

  it('resend refuses a recipient whose turn has not come', async () => {
    const key = devKey();
    const env = await createAndSend(key, [
      { ...person('r1', 'Một'), order: 1 },
      { ...person('r2', 'Hai'), order: 2 },
    ]);
    const r = await call<ErrorBody>('POST', `/v1/envelopes/${env.id}/recipients/${env.recipients[1]?.id}/resend`, { key });
    expect(r.status).toBe(409);
  });

  it('change of email before acting: the old link dies, the new address gets one; after acting it is refused', async () => {
    const key = devKey();
    const a = person('old', 'Mai Văn Đổi');
    const newEmail = uniqueEmail('new');
    const env = await createAndSend(key, [a]);
    const old = await latestLinkToken(a.email);
    const rid = env.recipients[0]?.id as string;
    const changed = await call<{ recipients: { email: string }[] }>('PATCH', `/v1/envelopes/${env.id}/recipients/${rid}`, {
      key,
      json: { email: newEmail },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.recipients[0]?.email).toBe(newEmail);
    await expectDead(old, 'token_invalid', 'Liên kết ký không hợp lệ');
    const fresh = await latestLinkToken(newEmail);
    expect((await signWith(fresh, a.name)).status).toBe(200);
    const late = await call<ErrorBody>('PATCH', `/v1/envelopes/${env.id}/recipients/${rid}`, { key, json: { email: uniqueEmail('late') } });
    expect(late.status).toBe(409);
    const bad = await call<ErrorBody>('PATCH', `/v1/envelopes/${env.id}/recipients/${rid}`, { key, json: {} });
    expect(bad.status).toBe(400);
  });
});
