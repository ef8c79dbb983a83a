import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, TOTP_STEP_SECONDS, totp } from '../../shared/console/totp.js';
import { a11yProblems } from '../support/a11y.js';
import { baseUrl, uniqueEmail } from '../support/api.js';
import { launchBrowser, phoneContext, screenshotPath } from '../support/browser.js';
import { consoleSignIn, fillSignIn, tenantWithConsoleUser } from '../support/console.js';

/** Nothing wider than the 360 px screen, and every control labelled. */
const fitsAndLabelled = async (page: Page) => {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  expect(await a11yProblems(page)).toEqual([]);
};

describe('console users and account security (Chromium, 360 px)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('an admin adds a sender on the Users page; the sender signs in with the initial password and turns two-step sign-in on', async () => {
    const admin = await tenantWithConsoleUser('Công ty TNHH Người Dùng', 'users-e2e-admin', { name: 'Quản trị viên' });
    // The admin's own enrolment is console-totp.test.ts's subject: here the session is made over HTTP and handed to the browser.
    const session = await consoleSignIn(admin.email, admin.password);
    const [name, value] = session.cookie.split('=') as [string, string];

    const adminContext = await phoneContext(browser);
    await adminContext.addCookies([{ name, value, domain: new URL(baseUrl()).hostname, path: '/app' }]);
    const adminPage = await adminContext.newPage();
    const problems: string[] = [];
    adminPage.on('pageerror', (e) => problems.push(e.message));
    await adminPage.goto(`${baseUrl()}/app`);
    await adminPage.locator('#envelopes').waitFor();
    await adminPage.getByRole('link', { name: 'Người dùng' }).click();
    await adminPage.locator('#users').waitFor();
    expect(await adminPage.locator('h1').textContent()).toBe('Người dùng');
    expect(await adminPage.locator(`[data-user="${admin.email}"] h2`).textContent()).toBe('Quản trị viên (bạn)');

    const senderEmail = uniqueEmail('users-e2e-sender');
    await adminPage.getByLabel('Họ và tên').fill('Trần Thị Gửi');
    await adminPage.getByLabel('Email').fill(senderEmail);
    expect(await adminPage.getByLabel('Vai trò', { exact: true }).first().inputValue()).toBe('sender');
    await adminPage.getByRole('button', { name: 'Thêm người dùng' }).click();
    await adminPage.locator('#initial-password').waitFor();
    const initialPassword = ((await adminPage.locator('#initial-password').textContent()) ?? '').trim();
    expect(initialPassword).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const card = adminPage.locator(`[data-user="${senderEmail}"]`);
    expect(await card.locator('.badge').allTextContents()).toEqual(['Người gửi', 'Xác thực hai bước: chưa bật', 'Đang hoạt động']);
    expect(await adminPage.locator('#user-changes').count()).toBe(1);
    await fitsAndLabelled(adminPage);
    await adminPage.screenshot({ path: screenshotPath('console-users-01-added-vi-360'), fullPage: true });

    // --- the sender, on their own phone ---------------------------------------------------
    const senderContext = await phoneContext(browser);
    const page = await senderContext.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${baseUrl()}/app`);
    await fillSignIn(page, senderEmail, initialPassword);
    await page.locator('#envelopes').waitFor();
    // Not an admin: no Users link.
    expect(await page.getByRole('link', { name: 'Người dùng' }).isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Bảo mật tài khoản' }).click();
    await page.locator('#totp-section').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Bảo mật tài khoản');
    expect(await page.locator('#totp-state').textContent()).toContain('Xác thực hai bước đang tắt');
    await fitsAndLabelled(page);
    await page.getByRole('button', { name: 'Bật xác thực hai bước' }).click();
    await page.locator('#totp-enrol').waitFor();
    expect(await page.locator('#totp-qr').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const secret = base32Decode(((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, ''));
    await fitsAndLabelled(page);
    await page.screenshot({ path: screenshotPath('console-users-02-security-enrol-vi-360'), fullPage: true });
    // A wrong code is shown on the page (the session stays).
    await page.getByLabel('Mã 6 chữ số từ ứng dụng xác thực').fill('000000');
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => page.locator('#security-notice').textContent()).toBe('Mã không đúng hoặc đã được dùng.');
    await page.getByLabel('Mã 6 chữ số từ ứng dụng xác thực').fill(totp(secret, new Date()));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.locator('.codes li').first().waitFor();
    expect(await page.locator('.codes li').count()).toBe(10);
    await page.getByRole('button', { name: 'Tôi đã lưu các mã, tiếp tục' }).click();
    await expect.poll(() => page.locator('#totp-state').textContent()).toContain('Xác thực hai bước đang bật');
    expect(await page.locator('#totp-state').textContent()).toContain('Còn 10 mã khôi phục');
    // A sender may turn it off again (with a code); admins get no such button.
    expect(await page.getByRole('button', { name: 'Tắt xác thực hai bước' }).count()).toBe(1);
    await fitsAndLabelled(page);
    await page.screenshot({ path: screenshotPath('console-users-03-security-on-vi-360'), fullPage: true });

    // Next sign-in asks for a code (the enrolment's step is spent: the next step's code, within the accepted window).
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.locator('#login').waitFor();
    await fillSignIn(page, senderEmail, initialPassword);
    await page.locator('#second-factor').waitFor();
    await page.getByLabel('Mã 6 chữ số từ ứng dụng xác thực').fill(totp(secret, new Date(Date.now() + TOTP_STEP_SECONDS * 1000)));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    // Back where the sender was (the hash route kept): the security page, now signed in with two steps.
    await expect
      .poll(() =>
        page
          .locator('#totp-state')
          .textContent()
          .catch(() => ''),
      )
      .toContain('Xác thực hai bước đang bật');

    // The admin sees it on; English is there too.
    await adminPage.reload();
    await adminPage.locator('#users').waitFor();
    expect(await adminPage.locator(`[data-user="${senderEmail}"] .badge`).nth(1).textContent()).toBe('Xác thực hai bước: đang bật');
    await page.goto(`${baseUrl()}/app?lang=en#/security`);
    await page.locator('#totp-section').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Account security');
    expect(await page.locator('#totp-state').textContent()).toContain('Two-step verification is on');
    expect(problems).toEqual([]);
    await adminContext.close();
    await senderContext.close();
  });
});
