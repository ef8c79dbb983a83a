import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { a11yProblems } from '../support/a11y.js';
import { baseUrl, call, envelopeJson, fixture, latestLinkToken, mailsTo, uniqueEmail } from '../support/api.js';
import { launchBrowser, screenshotPath } from '../support/browser.js';
import { ekycImages } from '../support/ekyc-test-server.js';

const openOnPhone = async (browser: Browser, token: string) => {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'vi-VN',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${baseUrl()}/s/${token}`);
  return { context, page, problems };
};

const noHorizontalScroll = async (page: Page) =>
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

describe('signer page: one-time code, decline, approve', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('asks for the emailed code first, then declines with a reason; the envelope ends as declined', async () => {
    const key = inject('devApiKey');
    const email = uniqueEmail('otp');
    const json = envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [{ name: 'Lê Văn <i>Cường</i>', email }] });
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: { ...json, recipients: json.recipients.map((r) => ({ ...r, auth: { otp: true } })) },
    });
    expect(created.status).toBe(201);
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });

    const { context, page, problems } = await openOnPhone(browser, await latestLinkToken(email));
    await page.locator('#verify-form').waitFor({ timeout: 30_000 });
    expect(await page.locator('.page').count()).toBe(0); // nothing of the document before the code
    await page.getByRole('button', { name: 'Gửi mã' }).click();
    await expect.poll(() => page.locator('#verify-form [role=status]').textContent()).toContain('Đã gửi mã');
    const otpMail = (await mailsTo(email)).find((m) => /Mã xác thực: \d{6}/.test(m.subject));
    const code = /(\d{6})/.exec(otpMail?.subject ?? '')?.[1] ?? '';
    await page.screenshot({ path: screenshotPath('workflow-01-otp-asked') });
    expect(await a11yProblems(page)).toEqual([]);

    await page.getByLabel('Mã xác thực').fill('000000' === code ? '111111' : '000000');
    await page.getByRole('button', { name: 'Xác nhận', exact: true }).click();
    await expect.poll(() => page.locator('#verify-form [role=alert]').textContent()).not.toBe('');
    await page.getByLabel('Mã xác thực').fill(code);
    await page.getByRole('button', { name: 'Xác nhận', exact: true }).click();
    await page.locator('#sign-form').waitFor({ timeout: 30_000 });
    await page.locator('.page canvas').first().waitFor({ timeout: 30_000 });
    await noHorizontalScroll(page);

    await page.getByText('Từ chối ký').click();
    await page.getByLabel('Lý do từ chối').fill('Mức lương <b>chưa đúng</b> thỏa thuận');
    await page.locator('#decline-form').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('workflow-02-decline-reason') });
    expect(await a11yProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Xác nhận từ chối' }).click();
    await page.locator('#declined').waitFor({ timeout: 30_000 });
    expect(await page.locator('#sign-form').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('workflow-03-declined') });
    expect(problems).toEqual([]);
    await context.close();

    const env = await call<{ status: string; recipients: { status: string }[] }>('GET', `/v1/envelopes/${created.body.id}`, { key });
    expect(env.body.status).toBe('declined');
    expect(env.body.recipients[0]?.status).toBe('declined');
    const audit = await call<{ events: { action: string; data?: Record<string, unknown> }[] }>(
      'GET',
      `/v1/envelopes/${created.body.id}/audit`,
      { key },
    );
    expect(audit.body.events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['recipient.verification_failed', 'recipient.verified', 'recipient.declined']),
    );
  });

  it('lets an approver approve on a phone, then the signer signs', async () => {
    const key = inject('devApiKey');
    const approver = uniqueEmail('approve');
    const signer = uniqueEmail('signer');
    const json = envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [{ name: 'Phạm Thu', email: signer, order: 2 }] });
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: {
        ...json,
        recipients: [{ name: 'Giám đốc Hải', email: approver, role: 'approver', order: 1 }, ...json.recipients],
        // the approver comes first, so the signer's field points at recipient 1
        fields: json.fields.map((f) => ({ ...f, recipient: Number(f.recipient) + 1 })),
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });

    const { context, page, problems } = await openOnPhone(browser, await latestLinkToken(approver));
    await page.locator('#approve-form').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: screenshotPath('workflow-04-approver') });
    await page.getByRole('button', { name: 'Duyệt' }).click();
    await page.locator('#approved').waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
    await context.close();

    const s = await openOnPhone(browser, await latestLinkToken(signer));
    await s.page.locator('#sign-form').waitFor({ timeout: 30_000 });
    await s.page.getByLabel(/Tôi đồng ý/).check();
    await s.page.getByRole('button', { name: 'Ký', exact: true }).click();
    await s.page.locator('#signed').waitFor({ timeout: 60_000 });
    expect(await s.page.locator('#signed').textContent()).toContain('Tất cả các bên đã ký');
    expect(s.problems).toEqual([]);
    await s.context.close();
  });

  it('walks a signer through proof of identity (CCCD + selfie) on a 360 px phone, in Vietnamese, before the document', async () => {
    const key = inject('devApiKey');
    const email = uniqueEmail('cccd');
    const person = { id: `0790${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`, name: 'Đặng Thị Hương', dob: '1996-02-29' };
    const json = envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [{ name: person.name, email }] });
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: { ...json, recipients: json.recipients.map((r) => ({ ...r, identity: { required: true, idNumber: person.id } })) },
    });
    expect(created.status).toBe(201);
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });

    const { context, page, problems } = await openOnPhone(browser, await latestLinkToken(email));
    await page.locator('#identity-form').waitFor({ timeout: 30_000 });
    expect(await page.locator('.page').count()).toBe(0); // nothing of the document before the proof
    await noHorizontalScroll(page);
    expect(await page.locator('#id-front').getAttribute('capture')).toBe('environment');
    expect(await page.locator('#id-selfie').getAttribute('capture')).toBe('user');
    await page.screenshot({ path: screenshotPath('workflow-05-identity-asked') });
    expect(await a11yProblems(page)).toEqual([]);

    const upload = async (images: Record<'front' | 'back' | 'selfie', string>) => {
      for (const [id, part] of [
        ['#id-front', 'front'],
        ['#id-back', 'back'],
        ['#id-selfie', 'selfie'],
      ] as const) {
        await page.locator(id).setInputFiles({ name: `${part}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(images[part], 'base64') });
      }
      await page.getByRole('button', { name: 'Gửi để xác minh' }).click();
    };
    // Missing photos are caught on the page; somebody else's selfie is refused, in Vietnamese, with the attempts left.
    await page.getByRole('button', { name: 'Gửi để xác minh' }).click();
    await expect.poll(() => page.locator('#identity-form [role=alert]').textContent()).toBe('Hãy chọn đủ ba ảnh.');
    await upload(ekycImages(person, 'other-face'));
    await expect.poll(() => page.locator('#identity-form [role=alert]').textContent()).toContain('không khớp');
    expect(await page.locator('#identity-form [role=alert]').textContent()).toContain('Số lần thử còn lại: 4');
    await upload(ekycImages(person));
    await page.locator('#sign-form').waitFor({ timeout: 30_000 });
    await page.locator('.page canvas').first().waitFor({ timeout: 30_000 });
    await noHorizontalScroll(page);
    await page.getByLabel(/Tôi đồng ý/).check();
    await page.getByRole('button', { name: 'Ký', exact: true }).click();
    await page.locator('#signed').waitFor({ timeout: 60_000 });
    expect(problems).toEqual([]);
    await context.close();
    const env = await call<{ recipients: { identity?: { evidence?: { method: string } } }[] }>('GET', `/v1/envelopes/${created.body.id}`, {
      key,
    });
    expect(env.body.recipients[0]?.identity?.evidence?.method).toBe('ekyc-document-face');
  });
});
