import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11yProblems } from '../support/a11y.js';
import { baseUrl, call, FIXTURES, latestLinkToken, mailsTo, uniqueEmail } from '../support/api.js';
import { ARTIFACTS, dragField, launchBrowser, screenshotPath } from '../support/browser.js';
import { CONSOLE_PASSWORD, fillSignIn, tenantWithConsoleUser } from '../support/console.js';
import { messagesTo, uniquePhone } from '../support/phone.js';
import { BOUNCE_REASON, sesBounce, sesDelivery } from '../support/ses-events.js';
import { runPdfsig } from '../support/validators.js';
import { createAndSend } from '../support/workflow.js';

const XSS_TITLE = 'Hợp đồng <img src=x onerror=alert(1)>';
const XSS_NAME = 'Nguyễn Văn <script>alert(1)</script>';

/** A tenant with one console user; a sender signs in with a password alone (admins enrol TOTP: console-totp.test.ts). */
const tenantWithUser = (label: string) => tenantWithConsoleUser(`Công ty ${label}`, `hr-${label}`, { role: 'sender' });

/** Page errors and unexpected dialogs (an alert() from injected markup would be one). */
const watchPage = (page: Page, options: { acceptConfirm?: boolean } = {}) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    if (options.acceptConfirm && d.type() === 'confirm') return void d.accept();
    problems.push(`dialog: ${d.message()}`);
    return void d.dismiss();
  });
  return problems;
};

const signIn = async (page: Page, email: string) => {
  await page.goto(`${baseUrl()}/app`);
  await fillSignIn(page, email);
  await page.locator('#envelopes').waitFor();
};

const phone = (browser: Browser): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });

describe('sender console', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('signs in, places fields with the mouse, sends; one signer draws, one types; the PDF from the console validates', async () => {
    const { apiKey, email } = await tenantWithUser('a');
    const signerA = uniqueEmail('draw');
    const signerB = uniqueEmail('type');

    // --- the sender, on a desktop ---------------------------------------------------------
    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', acceptDownloads: true });
    const page = await desk.newPage();
    const problems = watchPage(page);
    await page.goto(`${baseUrl()}/app`);
    await page.locator('#login').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Đăng nhập');
    await page.screenshot({ path: screenshotPath('console-01-sign-in') });
    expect(await a11yProblems(page)).toEqual([]);
    await fillSignIn(page, email, 'sai mật khẩu rồi');
    await expect.poll(() => page.locator('#login [role=alert]').textContent()).toBe('Email hoặc mật khẩu không đúng.');
    await page.getByLabel('Mật khẩu').fill(CONSOLE_PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.locator('#envelopes').waitFor();
    const cookie = (await desk.cookies()).find((c) => c.name === 'kyso_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');

    await page.getByRole('link', { name: 'Tạo phong bì' }).click();
    await page.locator('#compose').waitFor();
    await page.getByLabel('Tiêu đề phong bì').fill(XSS_TITLE);
    await page.locator('#env-files').setInputFiles(join(FIXTURES, 'hop-dong-lao-dong.pdf'));
    await expect.poll(() => page.locator('.page canvas').count(), { timeout: 30_000 }).toBe(2);
    const rows = page.locator('fieldset.recipient');
    await rows.nth(0).getByLabel('Họ và tên').fill(XSS_NAME);
    await rows.nth(0).getByLabel('Email', { exact: true }).fill(signerA);
    await page.getByRole('button', { name: 'Thêm người nhận' }).click();
    await rows.nth(1).getByLabel('Họ và tên').fill('Trần Thị Bình');
    await rows.nth(1).getByLabel('Email', { exact: true }).fill(signerB);

    await page.getByLabel('Đặt ô cho').selectOption({ index: 0 });
    await dragField(page, 'signature', 0, 1, 0.25, 0.8);
    await page.getByLabel('Đặt ô cho').selectOption({ index: 1 });
    await dragField(page, 'signature', 0, 1, 0.7, 0.8);
    await dragField(page, 'date', 0, 2, 0.5, 0.3);
    expect(await page.locator('.placed').count()).toBe(3);
    // The recipient's name is shown on the field as text, not markup.
    expect(await page.locator('.placed').first().textContent()).toContain('<script>');
    await page.locator('.page[data-page="1"]').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('console-02-fields-placed'), fullPage: false });
    expect(await a11yProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await page.locator('#recipients').waitFor({ timeout: 60_000 });
    expect(await page.locator('h1').textContent()).toBe(XSS_TITLE);
    const envelopeId = decodeURIComponent(/#\/envelopes\/(.+)$/.exec(page.url())?.[1] ?? '');
    await page.screenshot({ path: screenshotPath('console-03-sent'), fullPage: true });

    // The dropped points became API coordinates: points from the top-left, 1-based pages.
    const env = await call<{
      status: string;
      recipients: { id: string; name: string }[];
      fields: { recipientId: string; type: string; page: number; x: number; y: number; width: number; height: number }[];
    }>('GET', `/v1/envelopes/${envelopeId}`, { key: apiKey });
    expect(env.body.status).toBe('sent');
    expect(env.body.recipients.map((r) => r.name)).toEqual([XSS_NAME, 'Trần Thị Bình']);
    const [W, H] = [595.303937007874, 841.889763779528];
    const sigA = env.body.fields.find((f) => f.type === 'signature' && f.recipientId === env.body.recipients[0]?.id);
    const sigB = env.body.fields.find((f) => f.type === 'signature' && f.recipientId === env.body.recipients[1]?.id);
    const date = env.body.fields.find((f) => f.type === 'date');
    expect(sigA).toMatchObject({ page: 1, width: 180, height: 60 });
    expect(Math.abs((sigA?.x ?? 0) + 90 - 0.25 * W)).toBeLessThan(2);
    expect(Math.abs((sigA?.y ?? 0) + 30 - 0.8 * H)).toBeLessThan(2);
    expect(Math.abs((sigB?.x ?? 0) + 90 - 0.7 * W)).toBeLessThan(2);
    expect(date).toMatchObject({ page: 2, recipientId: env.body.recipients[1]?.id });
    expect(Math.abs((date?.y ?? 0) + 10 - 0.3 * H)).toBeLessThan(2);

    // --- signer A draws on a phone ----------------------------------------------------------
    const phoneA = await phone(browser);
    const a = await phoneA.newPage();
    const problemsA = watchPage(a);
    await a.goto(`${baseUrl()}/s/${await latestLinkToken(signerA)}`);
    await a.locator('#sign-form').waitFor({ timeout: 30_000 });
    expect(await a.locator('h1').textContent()).toBe(XSS_TITLE);
    await a.getByRole('radio', { name: 'Vẽ chữ ký' }).check();
    // The page may still move under the pad (lazily drawn document pages, a loaded machine): draw where the pad
    // is now, and again if the strokes missed it (a signer who misses is told to draw first; tested elsewhere).
    for (let attempt = 1; ; attempt++) {
      await a.locator('#sig-pad').scrollIntoViewIfNeeded();
      const pad = await a.locator('#sig-pad').boundingBox();
      if (!pad) throw new Error('no signature pad');
      await a.mouse.move(pad.x + 30, pad.y + 110);
      await a.mouse.down();
      for (const [dx, dy] of [
        [60, 40],
        [90, 100],
        [130, 30],
        [170, 120],
        [230, 50],
        [290, 90],
      ]) {
        await a.mouse.move(pad.x + (dx ?? 0), pad.y + (dy ?? 0), { steps: 5 });
      }
      await a.mouse.up();
      const inked = await a.evaluate(() => {
        const c = document.getElementById('sig-pad') as HTMLCanvasElement;
        return (c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? []).some((v) => v !== 0);
      });
      if (inked) break;
      if (attempt === 3) throw new Error('three drawings missed the signature pad');
    }
    await a.getByLabel(/Tôi đồng ý/).check();
    expect(await a.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await a.screenshot({ path: screenshotPath('console-04-signer-a-drawn') });
    expect(await a11yProblems(a)).toEqual([]);
    await a.getByRole('button', { name: 'Ký', exact: true }).click();
    await a
      .locator('#signed')
      .waitFor({ timeout: 60_000 })
      .catch(async (e) => {
        await a.screenshot({ path: screenshotPath('console-05-signer-a-failed'), fullPage: true });
        const alerts = await a.locator('[role=alert]').allTextContents();
        throw new Error(`signing did not finish: ${alerts.join(' | ') || (e as Error).message}`);
      });
    await a.screenshot({ path: screenshotPath('console-05-signer-a-signed') });
    expect(problemsA).toEqual([]);
    await phoneA.close();

    // --- signer B types on a phone ----------------------------------------------------------
    const phoneB = await phone(browser);
    const b = await phoneB.newPage();
    const problemsB = watchPage(b);
    await b.goto(`${baseUrl()}/s/${await latestLinkToken(signerB)}`);
    await b.locator('#sign-form').waitFor({ timeout: 30_000 });
    await b.getByLabel(/Ngày/).fill('2026-11-25');
    await b.getByLabel(/Tôi đồng ý/).check();
    await b.screenshot({ path: screenshotPath('console-06-signer-b-typed'), fullPage: true });
    await b.getByRole('button', { name: 'Ký', exact: true }).click();
    await b.locator('#signed').waitFor({ timeout: 60_000 });
    expect(await b.locator('#signed').textContent()).toContain('Tất cả các bên đã ký');
    expect(await b.locator('#signed a.download').count()).toBe(2); // the signed PDF and the certificate of completion
    expect(await b.locator('#certificate-link').count()).toBe(1);
    expect(await b.locator('#signed a[href^="/verify"]').count()).toBe(1); // the verify page, to check the download
    await b.screenshot({ path: screenshotPath('console-07-signer-b-completed') });
    expect(problemsB).toEqual([]);
    await phoneB.close();

    // --- back in the console: completed, audit trail, download --------------------------------
    await page.reload();
    await page.locator('#audit li').first().waitFor();
    expect(await page.locator('.badge').first().textContent()).toBe('Hoàn tất');
    const actions = await page.locator('#audit li strong').allTextContents();
    expect(actions.filter((x) => x === 'recipient.signed')).toHaveLength(2);
    expect(await page.locator('#audit-check').textContent()).toBe('✓ Chuỗi băm của nhật ký nguyên vẹn · đầu chuỗi đã được ký');
    expect(await page.locator('#recipients').textContent()).toContain(XSS_NAME);
    await page.screenshot({ path: screenshotPath('console-08-completed'), fullPage: true });
    expect(await a11yProblems(page)).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#documents a[href*="/documents/"]').click()]);
    const pdf = new Uint8Array(readFileSync((await download.path()) as string));
    writeFileSync(join(ARTIFACTS, 'console-signed.pdf'), pdf);

    const root = (await call<string>('GET', '/pki/root.pem')).body;
    const sig = runPdfsig(pdf, [root]);
    const approvals = sig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    // (a platform certification signature made at send may come first)
    expect(approvals.length, sig.output).toBeGreaterThanOrEqual(2);
    for (const s of approvals) expect(s.valid && s.trusted, sig.output).toBe(true);
    expect(approvals.slice(-2).map((s) => s.signerName)).toEqual([XSS_NAME, 'Trần Thị Bình']);
    expect(sig.signatures.at(-1)?.subFilter).toBe('unknown'); // document timestamp (poppler 22 has no name for it)

    // The certificate of completion is offered too, and is itself a sealed PDF.
    const [certDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#documents a[href$="/certificate"]').click()]);
    const cert = runPdfsig(new Uint8Array(readFileSync((await certDownload.path()) as string)), [root]);
    expect(cert.signatures[0]?.valid && cert.signatures[0]?.trusted, cert.output).toBe(true);

    // Search by recipient (accent-insensitive) and filter by status.
    await page.goto(`${baseUrl()}/app#/?q=tran thi binh&status=completed`);
    await expect.poll(() => page.locator('#envelopes tbody tr[data-id]').count()).toBe(1);
    await page.goto(`${baseUrl()}/app#/?status=draft`);
    await expect.poll(() => page.locator('#envelopes tbody td.muted').count()).toBe(1);
    expect(problems).toEqual([]);
    await desk.close();
  });

  it('shows each SMS and Zalo message of an envelope with what the provider’s receipt said, on a phone', async () => {
    const { email, apiKey } = await tenantWithUser('sms');
    const number = uniquePhone();
    const env = await createAndSend(apiKey, [{ name: 'Trần Thị Bích', phone: number }]);
    await messagesTo('sms', number);
    const [delivery] = (await call<{ deliveries: { messageId: string }[] }>('GET', `/v1/envelopes/${env.id}/deliveries`, { key: apiKey }))
      .body.deliveries;
    // The operator could not reach the phone: SNS's delivery-status line, as CloudWatch Logs hands it to our function.
    const line = JSON.stringify({
      notification: { messageId: delivery?.messageId, timestamp: '2026-12-01 09:00:00.000' },
      delivery: { destination: number, providerResponse: 'Phone is currently unreachable/unavailable' },
      status: 'FAILURE',
    });
    const data = gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', timestamp: 0, message: line }] }));
    expect((await call('POST', '/dev/sns-delivery-status', { json: { awslogs: { data: data.toString('base64') } } })).status).toBe(200);

    const context = await phone(browser);
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, email);
    await page.goto(`${baseUrl()}/app#/envelopes/${env.id}`);
    const row = page.locator('#deliveries tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('td').allTextContents()).toEqual([
      'Trần Thị Bích',
      'SMS',
      'Lời mời ký',
      expect.stringMatching(/^Không đến được /),
      'Phone is currently unreachable/unavailable',
    ]);
    expect(await page.locator('#recipients tbody td').nth(2).textContent()).toBe(number);
    await page.screenshot({ path: screenshotPath('console-10-sms-delivery-failed'), fullPage: true });
    expect(await a11yProblems(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows each email with what SES’s events said, and the bounce among the home’s delivery failures, in Vietnamese and English', async () => {
    const { email, apiKey } = await tenantWithUser('mail');
    const bounced = uniqueEmail('e2e-bounce');
    const fine = uniqueEmail('e2e-fine');
    const env = await createAndSend(apiKey, [
      { name: 'Lý Thị Hoa', email: bounced, order: 1 },
      { name: 'Mai Văn Lộc', email: fine, order: 1 },
    ]);
    await mailsTo(fine);
    const { deliveries } = (
      await call<{ deliveries: { recipientId: string; messageId: string }[] }>('GET', `/v1/envelopes/${env.id}/deliveries`, { key: apiKey })
    ).body;
    const messageIdOf = (to: string) =>
      deliveries.find((d) => d.recipientId === env.recipients.find((r) => r.email === to)?.id)?.messageId as string;
    const at = new Date().toISOString();
    for (const event of [sesBounce(messageIdOf(bounced), bounced, at), sesDelivery(messageIdOf(fine), fine, at)]) {
      expect((await call('POST', '/dev/ses-events', { json: event })).body).toMatchObject({ applied: 1 });
    }

    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await desk.newPage();
    const problems = watchPage(page);
    await signIn(page, email);
    const rows = async () => {
      const texts = await page
        .locator('#deliveries tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
      return texts.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    };
    await page.goto(`${baseUrl()}/app#/envelopes/${env.id}`);
    await expect.poll(() => page.locator('#deliveries tbody tr').count()).toBe(2);
    expect(await page.locator('h2', { hasText: 'Thư và tin nhắn đã gửi' }).count()).toBe(1);
    expect(await rows()).toEqual([
      ['Lý Thị Hoa', 'Email', 'Lời mời ký', expect.stringMatching(/^Không đến được /), BOUNCE_REASON],
      ['Mai Văn Lộc', 'Email', 'Lời mời ký', expect.stringMatching(/^Đã đến nơi nhận /), ''],
    ]);
    expect(await page.content()).not.toContain(`${bounced}>`);
    await page.screenshot({ path: screenshotPath('console-11-email-deliveries'), fullPage: true });
    expect(await a11yProblems(page)).toEqual([]);

    await page.goto(`${baseUrl()}/app?lang=en#/envelopes/${env.id}`);
    await expect.poll(() => page.locator('h2', { hasText: 'Messages sent' }).count()).toBe(1);
    expect(await rows()).toEqual([
      ['Lý Thị Hoa', 'Email', 'Invitation to sign', expect.stringMatching(/^Not delivered /), BOUNCE_REASON],
      ['Mai Văn Lộc', 'Email', 'Invitation to sign', expect.stringMatching(/^Delivered /), ''],
    ]);

    // The home's delivery failures: the bounce, as an email invitation.
    await page.goto(`${baseUrl()}/app?lang=vi#/`);
    await expect.poll(() => page.locator('#dash-failures tbody tr').count()).toBe(1);
    const failure = await page.locator('#dash-failures tbody tr td').allTextContents();
    expect(failure.slice(2)).toEqual(['Email · lời mời ký', BOUNCE_REASON]);
    expect(problems).toEqual([]);
    await desk.close();
  });

  it('manages API keys (shown once, usable, revocable) and refuses state changes without the CSRF token', async () => {
    const { email } = await tenantWithUser('b');
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems = watchPage(page, { acceptConfirm: true });
    await signIn(page, email);
    await page.goto(`${baseUrl()}/app?lang=en#/keys`);
    await page.getByLabel('Key name').fill('HR system <b>x</b>');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.locator('#new-key').textContent({ timeout: 10_000 })) ?? '';
    expect(key).toMatch(/^kyso_/);
    await expect.poll(() => page.locator('#keys tbody td').first().textContent()).toBe('HR system <b>x</b>');
    await page.screenshot({ path: screenshotPath('console-09-api-key-created') });
    expect(await a11yProblems(page)).toEqual([]);
    expect((await call('GET', '/v1/envelopes', { key })).status).toBe(200);

    // A state change without the token is refused, even with the session cookie.
    const forged = await page.evaluate(async () => {
      const r = await fetch('/app/api/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"label":"x"}' });
      return r.status;
    });
    expect(forged).toBe(403);

    // The tenant's first key (made by the admin API) is listed too.
    await expect.poll(() => page.locator('#keys tbody tr[data-id]').count()).toBe(2);
    expect(await page.locator('#keys').textContent()).toContain('first key (admin)');
    await page.getByRole('button', { name: 'Revoke: HR system <b>x</b>' }).click();
    await expect.poll(() => page.locator('#keys tbody tr[data-id]').count()).toBe(1);
    expect((await call('GET', '/v1/envelopes', { key })).status).toBe(401);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#login').waitFor();
    const after = await call('GET', '/app/api/me', { headers: { cookie: '' } });
    expect(after.status).toBe(401);
    expect(problems).toEqual([]);
    await context.close();
  });
  it('saves a template from the editor, bulk-sends it from a CSV with progress, then resends a link and voids an envelope', async () => {
    const { email } = await tenantWithUser('c');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, email);

    await page.getByRole('link', { name: 'Tạo phong bì' }).click();
    await page.getByLabel('Tiêu đề phong bì').fill('Hợp đồng thời vụ');
    await page.locator('#env-files').setInputFiles(join(FIXTURES, 'hop-dong-lao-dong.pdf'));
    await expect.poll(() => page.locator('.page canvas').count(), { timeout: 30_000 }).toBe(2);
    await page.locator('fieldset.recipient').first().getByLabel('Họ và tên').fill('Người lao động');
    // Keyboard users place a field with Enter on the palette (it lands low on page 1; it can be dragged later).
    await page.locator('.chip[data-type="signature"]').focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('.placed[data-type="signature"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Lưu làm mẫu' }).click();
    // Listed after the built-in labour-contract template every tenant has.
    await page.locator('#templates tbody tr[data-id]', { hasText: 'Hợp đồng thời vụ' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Hợp đồng thời vụ' }).click();
    expect(await page.locator('#bulk-columns').textContent()).toBe('nguoi_lao_dong_name,nguoi_lao_dong_email');

    const csv = join(ARTIFACTS, 'bulk.csv');
    const workers = [uniqueEmail('bulk1'), uniqueEmail('bulk2')];
    writeFileSync(
      csv,
      [
        'nguoi_lao_dong_name,nguoi_lao_dong_email',
        `Đỗ Văn Một,${workers[0]}`,
        'Sai Email,không-phải-email',
        `Hồ Thị Hai,${workers[1]}`,
      ].join('\n'),
    );
    await page.locator('#bulk-csv').setInputFiles(csv);
    await page.getByRole('button', { name: 'Gửi hàng loạt' }).click();
    await page.locator('#bulk-done').waitFor({ timeout: 60_000 });
    expect(await page.locator('#bulk-status label').textContent()).toContain('2/3 ✓ · 1 ✗');
    expect(await page.locator('#bulk-failed').textContent()).toContain('email');
    await page.screenshot({ path: screenshotPath('console-10-bulk-progress'), fullPage: true });
    expect(await a11yProblems(page)).toEqual([]);
    expect((await mailsTo(workers[0] as string)).length).toBe(1);

    await page.goto(`${baseUrl()}/app#/?q=${encodeURIComponent('Đỗ Văn Một')}`);
    await expect.poll(() => page.locator('#envelopes tbody tr[data-id]').count()).toBe(1);
    await page.locator('#envelopes tbody a').first().click();
    await page.locator('#recipients').waitFor();
    await page.getByRole('button', { name: 'Gửi lại liên kết: Đỗ Văn Một' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe('Đã thực hiện.');
    expect((await mailsTo(workers[0] as string)).length).toBe(2);
    const remind = await page.getByRole('button', { name: 'Nhắc ký ngay' }).elementHandle();
    await remind?.click();
    await expect.poll(async () => (await mailsTo(workers[0] as string)).length).toBe(3);
    await remind?.waitForElementState('hidden'); // the page is drawn anew after an action
    await page.getByLabel('Lý do hủy').fill('Gửi nhầm người');
    await page.getByRole('button', { name: 'Hủy phong bì' }).click();
    await expect.poll(() => page.locator('.badge').first().textContent()).toBe('Đã hủy');
    expect(await page.locator('#void-form').count()).toBe(0);
    expect(await page.locator('#audit').textContent()).toContain('envelope.voided');
    expect(await page.locator('#audit .reason').textContent()).toBe('Gửi nhầm người');
    await page.screenshot({ path: screenshotPath('console-11-voided'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });
});
