import { describe, expect, it } from 'vitest';
import { call, uniqueEmail } from '../support/api.js';
import { createAndSend, devKey, type ErrorBody, latestLinkToken, mailsTo, signWith } from '../support/workflow.js';

const latestCode = async (email: string): Promise<string> => {
  const mails = await mailsTo(email);
  const code = /: (\d{6})/.exec(mails[mails.length - 1]?.subject ?? '')?.[1];
  if (!code) throw new Error(`no code mailed to ${email}`);
  return code;
};

const verify = (token: string, code: string) =>
  call<ErrorBody & { verified?: boolean; method?: string }>('POST', `/v1/sign/${token}/verify`, { json: { code } });

const signedEvent = async (envelopeId: string) => {
  const audit = await call<{ events: { action: string; data?: { method?: string } }[] }>('GET', `/v1/envelopes/${envelopeId}/audit`, {
    key: devKey(),
  });
  return audit.body.events;
};

describe('one-time code by email', () => {
  it('is required before signing and downloading, then verified, recorded in the audit trail', async () => {
    const a = { name: 'Trần Văn Mã', email: uniqueEmail('otp'), auth: { otp: true } };
    const env = await createAndSend(devKey(), [a]);
    const token = await latestLinkToken(a.email);
    const view = await call<{ verification: { method: string; verified: boolean }; documents: { id: string }[] }>(
      'GET',
      `/v1/sign/${token}`,
    );
    expect(view.body.verification).toEqual({ method: 'otp', verified: false, channel: 'email' });
    const blocked = await signWith(token, a.name);
    expect(blocked.status).toBe(401);
    expect(blocked.body.error.code).toBe('verification_required');
    expect((await call<ErrorBody>('GET', `/v1/sign/${token}/documents/${view.body.documents[0]?.id}`)).status).toBe(401);
    expect((await call<ErrorBody>('POST', `/v1/sign/${token}/approve`)).status).toBe(401);

    const noCodeYet = await verify(token, '123456');
    expect(noCodeYet.body.error.code).toBe('code_invalid');
    const sent = await call<{ expiresAt: string }>('POST', `/v1/sign/${token}/otp`);
    expect(sent.status).toBe(202);
    expect(Date.parse(sent.body.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    const code = await latestCode(a.email);
    expect(code).toMatch(/^\d{6}$/);
    const ok = await verify(token, code);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.method).toBe('otp');
    // A code works once.
    expect((await verify(token, code)).status).toBe(401);
    expect((await call<{ verification: { verified: boolean } }>('GET', `/v1/sign/${token}`)).body.verification.verified).toBe(true);
    expect((await signWith(token, a.name)).status).toBe(200);
    const events = await signedEvent(env.id);
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['recipient.otp_sent', 'recipient.verified', 'recipient.signed']));
    expect(events.find((e) => e.action === 'recipient.signed')?.data?.method).toBe('email-link+otp');
  });

  it('locks after 5 wrong codes: even the right code is refused', async () => {
    const a = { name: 'Sai Mã', email: uniqueEmail('lock'), auth: { otp: true } };
    await createAndSend(devKey(), [a]);
    const token = await latestLinkToken(a.email);
    await call('POST', `/v1/sign/${token}/otp`);
    const code = await latestCode(a.email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) {
      const r = await verify(token, wrong);
      expect(r.status).toBe(401);
      expect(r.body.error.details?.attemptsLeft).toBe(5 - i);
    }
    const fifth = await verify(token, wrong);
    expect(fifth.status).toBe(423);
    expect(fifth.body.error.code).toBe('code_locked');
    expect((await verify(token, code)).status).toBe(423);
    expect((await call<ErrorBody>('POST', `/v1/sign/${token}/otp`)).status).toBe(423);
    expect((await signWith(token, a.name)).status).toBe(401);
  });

  it('rate-limits sends: at most 3 codes per 10 minutes', async () => {
    const a = { name: 'Gửi Nhiều', email: uniqueEmail('rate'), auth: { otp: true } };
    await createAndSend(devKey(), [a]);
    const token = await latestLinkToken(a.email);
    for (let i = 0; i < 3; i++) expect((await call('POST', `/v1/sign/${token}/otp`)).status).toBe(202);
    const fourth = await call<ErrorBody>('POST', `/v1/sign/${token}/otp`);
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('rate_limited');
    // Only the newest code works.
    expect((await verify(token, await latestCode(a.email))).status).toBe(200);
  });

  it('a verification is bound to the link: a resent link must verify again', async () => {
    const a = { name: 'Liên Kết Mới', email: uniqueEmail('bind'), auth: { otp: true } };
    const env = await createAndSend(devKey(), [a]);
    const first = await latestLinkToken(a.email);
    await call('POST', `/v1/sign/${first}/otp`);
    expect((await verify(first, await latestCode(a.email))).status).toBe(200);
    await call('POST', `/v1/envelopes/${env.id}/recipients/${env.recipients[0]?.id}/resend`, { key: devKey() });
    const second = await latestLinkToken(a.email);
    expect((await signWith(second, a.name)).body.error.code).toBe('verification_required');
  });
});

describe('access code shared out of band', () => {
  it('is checked against its hash, counts failures, and is recorded', async () => {
    const a = { name: 'Mã Truy Cập', email: uniqueEmail('acc'), auth: { accessCode: 'HN-2026' } };
    const env = await createAndSend(devKey(), [a]);
    const created = await call<{ recipients: { auth?: unknown }[] }>('GET', `/v1/envelopes/${env.id}`, { key: devKey() });
    expect(JSON.stringify(created.body)).not.toContain('HN-2026');
    expect(created.body.recipients[0]?.auth).toEqual({ accessCode: true });
    const token = await latestLinkToken(a.email);
    expect((await call<ErrorBody>('POST', `/v1/sign/${token}/otp`)).status).toBe(409);
    expect((await signWith(token, a.name)).status).toBe(401);
    const wrong = await verify(token, 'HN-2025');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.details?.attemptsLeft).toBe(4);
    expect((await verify(token, 'HN-2026')).status).toBe(200);
    expect((await signWith(token, a.name)).status).toBe(200);
    const events = await signedEvent(env.id);
    expect(events.find((e) => e.action === 'recipient.signed')?.data?.method).toBe('email-link+access-code');
  });
});
