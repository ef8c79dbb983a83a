import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { a11yProblems } from '../support/a11y.js';
import { baseUrl, call, createTenant, uniqueEmail } from '../support/api.js';
import { launchBrowser, screenshotPath } from '../support/browser.js';

const PASSWORD = 'mật khẩu đủ dài 123';

describe('console: personal-data requests (issue 17)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists the requests with who asked, the deadline and whether it was met, in Vietnamese and in English', async () => {
    const tenant = await createTenant('Công ty Quyền Riêng Tư');
    const email = uniqueEmail('hr-privacy');
    expect(
      (
        await call('POST', `/admin/tenants/${tenant.tenantId}/users`, {
          key: inject('adminKey'),
          json: { email, name: 'Pháp chế', password: PASSWORD },
        })
      ).status,
    ).toBe(201);
    expect((await call('GET', '/v1/data-subjects?email=an%40example.vn', { key: tenant.apiKey })).status).toBe(200);
    expect((await call('POST', '/v1/data-subjects/erase', { key: tenant.apiKey, json: { phone: '0912345678' } })).status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${baseUrl()}/app`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.locator('#envelopes').waitFor();
    await page.getByRole('link', { name: 'Dữ liệu cá nhân' }).click();
    await page.locator('#data-subject-requests').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Yêu cầu về dữ liệu cá nhân');
    const rows = page.locator('#data-subject-requests tbody tr');
    expect(await rows.count()).toBe(2);
    const erase = (await rows.nth(0).textContent()) ?? '';
    expect(erase).toContain('Xóa');
    expect(erase).toContain('Khóa API');
    expect(erase).toContain('Đúng hạn');
    expect(erase).toContain('0 phong bì · 0 đã xóa · 0 giữ lại');
    expect(await rows.nth(1).textContent()).toContain('Truy cập');
    expect(await page.locator('main').textContent()).toContain('không tính thứ Bảy, Chủ nhật');
    expect(await a11yProblems(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('console-data-subjects-vi') });

    await page.goto(`${baseUrl()}/app?lang=en#/data-subjects`);
    await page.locator('#data-subject-requests').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Personal-data requests');
    expect(await page.locator('#data-subject-requests thead').textContent()).toBe(
      'ReceivedRequestRequested byAcknowledge byAcknowledgedOutcome',
    );
    expect(await rows.nth(0).textContent()).toContain('Erasure');
    expect(await rows.nth(0).textContent()).toContain('In time');
    expect(problems).toEqual([]);
    await context.close();
  });
});
