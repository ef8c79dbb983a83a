import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11yProblems } from '../support/a11y.js';
import { baseUrl, call } from '../support/api.js';
import { launchBrowser, screenshotPath } from '../support/browser.js';
import { consoleSignIn, tenantWithConsoleUser } from '../support/console.js';
import { createAndSend } from '../support/workflow.js';

describe('console: personal-data requests (issue 17)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  /** A browser already signed in as the admin (enrolled over HTTP), collecting page errors. */
  const signedIn = async (email: string, password: string) => {
    const { cookie } = await consoleSignIn(email, password);
    const [name, value] = cookie.split('=') as [string, string];
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await context.addCookies([{ name, value, url: baseUrl() }]);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    return { context, page, problems };
  };

  it('lists the requests with who asked, the deadline and whether it was met, in Vietnamese and in English', async () => {
    const tenant = await tenantWithConsoleUser('Công ty Quyền Riêng Tư', 'hr-privacy', { name: 'Pháp chế' });
    const { email } = tenant;
    expect((await call('GET', '/v1/data-subjects?email=an%40example.vn', { key: tenant.apiKey })).status).toBe(200);
    expect((await call('POST', '/v1/data-subjects/erase', { key: tenant.apiKey, json: { phone: '0912345678' } })).status).toBe(200);

    // Personal-data requests are for admins, who sign in with TOTP (console-totp.test.ts drives that page):
    // here the admin enrols over HTTP and the browser starts with that session.
    const { context, page, problems } = await signedIn(email, tenant.password);
    await page.goto(`${baseUrl()}/app`);
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

  it('shows a large export’s job and downloads its ZIP through a fresh short link', async () => {
    const tenant = await tenantWithConsoleUser('Công ty Xuất Tệp', 'hr-export', { name: 'Pháp chế' });
    await createAndSend(tenant.apiKey, [{ name: 'Đỗ Thị Hằng', email: 'hang@example.vn' }]);
    const started = await call<{ id: string }>('POST', '/v1/data-subjects/export', {
      key: tenant.apiKey,
      json: { email: 'hang@example.vn', syncLimits: { envelopes: 0 } },
    });
    expect(started.status).toBe(202);
    let status = 'pending';
    for (let i = 0; i < 60 && status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await call<{ status: string }>('GET', `/v1/data-subjects/exports/${started.body.id}`, { key: tenant.apiKey })).body.status;
    }
    expect(status).toBe('ready');

    const { context, page, problems } = await signedIn(tenant.email, tenant.password);
    await page.goto(`${baseUrl()}/app#/data-subjects`);
    await page.locator('#data-subject-requests').waitFor();
    const row = page.locator(`#data-subject-requests tr[data-request="${started.body.id}"]`);
    expect(await row.textContent()).toContain('Xuất dữ liệu');
    expect(await row.locator('[data-export-status]').textContent()).toBe('Tệp đã sẵn sàng');
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Tải xuống (ZIP)' }).click()]);
    // S3 names it kyso-export-<id>.zip (response-content-disposition); moto ignores that and uses the key's name.
    expect(download.suggestedFilename()).toMatch(new RegExp(`${started.body.id}\\.zip$`));
    const zip = readFileSync((await download.path()) as string);
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(await a11yProblems(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
