import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp, totpStep } from '../../shared/console/totp.js';
import { a11yProblems } from '../support/a11y.js';
import { baseUrl } from '../support/api.js';
import { launchBrowser, screenshotPath } from '../support/browser.js';
import { fillSignIn, tenantWithConsoleUser } from '../support/console.js';

const PASSWORD = 'mật khẩu quản trị đủ dài';

/** A code for a step after `after` (waits for the next 30-second step when the current one is spent). */
const freshCode = async (secret: Uint8Array, after: number): Promise<{ code: string; step: number }> => {
  const deadline = Date.now() + 35_000;
  while (totpStep(new Date()) <= after && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  const now = new Date();
  return { code: totp(secret, now), step: totpStep(now) };
};

describe('console two-step sign-in (Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('an admin enrols by QR code after the password, keeps the recovery codes, and signs in again with a code from the app', async () => {
    const { email } = await tenantWithConsoleUser('Công ty TNHH Quản Trị', 'admin-totp', { name: 'Quản trị viên', password: PASSWORD });

    const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${baseUrl()}/app`);
    await fillSignIn(page, email, PASSWORD);

    // Enrolment: the QR code (an image of the otpauth:// URI) and the key in text; the test plays the phone.
    await page.locator('#second-factor').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Bật xác thực hai bước');
    const qr = page.locator('#totp-qr');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const secret = base32Decode(((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, ''));
    expect(secret).toHaveLength(20);
    await page.screenshot({ path: screenshotPath('console-totp-01-enrol') });
    expect(await a11yProblems(page)).toEqual([]);
    await page.getByLabel('Mã 6 chữ số từ ứng dụng xác thực').fill('000000');
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => page.locator('#second-factor [role=alert]').textContent()).toBe('Mã không đúng hoặc đã được dùng.');
    const first = await freshCode(secret, -1);
    await page.getByLabel('Mã 6 chữ số từ ứng dụng xác thực').fill(first.code);
    await page.getByRole('button', { name: 'Xác nhận' }).click();

    // The 10 recovery codes, shown once.
    await page.locator('#recovery-codes').waitFor();
    const codes = await page.locator('#recovery-codes li').allTextContents();
    expect(codes).toHaveLength(10);
    await page.screenshot({ path: screenshotPath('console-totp-02-recovery-codes') });
    await page.getByRole('button', { name: 'Tôi đã lưu các mã, tiếp tục' }).click();
    await page.locator('#envelopes').waitFor();
    expect(await page.locator('#who').textContent()).toContain(email);

    // Sign out, sign in again: password, then a code from the authenticator (a new 30-second step).
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.locator('#login').waitFor();
    await fillSignIn(page, email, PASSWORD);
    await page.locator('#second-factor').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Xác thực hai bước');
    expect(await page.locator('#totp-qr').count()).toBe(0);
    const second = await freshCode(secret, first.step);
    await page.getByLabel('Mã 6 chữ số từ ứng dụng xác thực').fill(second.code);
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.locator('#envelopes').waitFor();
    await page.screenshot({ path: screenshotPath('console-totp-03-signed-in') });

    // And with a recovery code instead of the phone.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.locator('#login').waitFor();
    await fillSignIn(page, email, PASSWORD);
    await page.locator('#second-factor, #login [role=alert]:not(:empty)').first().waitFor();
    expect(await page.locator('#login [role=alert]').count(), (await page.locator('main').textContent()) ?? '').toBe(0);
    await page.getByRole('button', { name: 'Dùng mã khôi phục' }).click();
    await page.getByLabel('Mã khôi phục').fill(codes[0] as string);
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.locator('#envelopes').waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
