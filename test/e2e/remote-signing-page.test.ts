import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, call, envelopeJson, fixture, latestLinkToken, uniqueEmail } from '../support/api.js';
import { launchBrowser, phoneContext, screenshotPath } from '../support/browser.js';
import { consoleSignIn, tenantWithConsoleUser } from '../support/console.js';
import { type CscTestServer, startCscTestServer } from '../support/csc-test-server.js';

/**
 * The signer page's choice of remote-signing CA (issue 11 part 2), in a browser: a recipient the
 * sender requires a digital signature from sees no typed/drawn path, only the USB token and one
 * "Ký số từ xa với …" button per CA; a wrong id is explained in plain Vietnamese; the right one
 * signs; nothing of the id is left in the browser's storage.
 */
describe('signer page: choosing a remote-signing CA, digital-only recipients', () => {
  let browser: Browser;
  let vnpt: CscTestServer;
  let viettel: CscTestServer;
  let key = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    [vnpt, viettel] = await Promise.all([startCscTestServer({ caName: 'VNPT SmartCA' }), startCscTestServer({ caName: 'Viettel MySign' })]);
    await vnpt.addUser('079088004321', 'Bùi Thị Ngọc');
    const tenant = await call<{ apiKey: string }>('POST', '/admin/tenants', {
      key: inject('adminKey'),
      json: { name: 'Công ty TNHH Chọn CA' },
    });
    key = tenant.body.apiKey;
    // This tenant trusts both test CAs (the shared test server has no KYSO_TRUSTED_ROOTS of theirs).
    await call('PUT', '/v1/verify/trust-roots', { key, json: { certificatesPem: vnpt.rootPem + viettel.rootPem } });
    for (const ca of [vnpt, viettel]) {
      const r = await call('POST', '/v1/remote-signing/providers', {
        key,
        json: { name: ca.config.caName, baseUrl: ca.url, clientId: ca.config.clientId, clientSecret: ca.config.clientSecret },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([vnpt?.close(), viettel?.close()]);
  });

  it('digital-only: no typing or drawing, one button per CA, a wrong id explained, the right one signs, nothing kept', async () => {
    const ngoc = { name: 'Bùi Thị Ngọc', email: uniqueEmail('ngoc') };
    const json = envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [ngoc] });
    (json.recipients[0] as Record<string, unknown>).signatureLevel = 'digital';
    const created = await call<{ id: string }>('POST', '/v1/envelopes', { key, json });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });
    const token = await latestLinkToken(ngoc.email);

    const context = await phoneContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${baseUrl()}/s/${token}`);
    await page.locator('#digital-required').waitFor({ timeout: 30_000 });
    expect(await page.locator('#digital-required').textContent()).toContain('Người gửi yêu cầu chữ ký số');
    expect(await page.locator('#typed-name').count()).toBe(0);
    expect(await page.locator('input[name="sign-mode"]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Ký', exact: true }).count()).toBe(0);
    expect(await page.locator('#token-sign-button').isVisible()).toBe(true);
    const choices = page.locator('button.remote-provider');
    await choices.first().waitFor();
    expect(await choices.allTextContents()).toEqual(['Ký số từ xa với VNPT SmartCA', 'Ký số từ xa với Viettel MySign']);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('signer-remote-01-choice'), fullPage: true });

    await page.getByLabel(/Tôi đồng ý ký tài liệu này bằng chữ ký số/).check();
    await page.getByRole('button', { name: 'Ký số từ xa với VNPT SmartCA' }).click();
    expect(await page.locator('#remote-chosen').textContent()).toBe('Ký số từ xa với VNPT SmartCA');
    await page.locator('#remote-user-id').fill('079088009999');
    await page.locator('#remote-user-id').press('Enter');
    await expect
      .poll(() => page.locator('#sign-form [role="alert"]').textContent(), { timeout: 20_000 })
      .toContain('không có chứng thư số nào gắn với mã bạn nhập');
    await page.screenshot({ path: screenshotPath('signer-remote-02-unknown-id'), fullPage: true });

    await page.locator('#remote-user-id').fill('079088004321');
    await page.locator('#remote-send').click();
    await expect.poll(() => page.locator('.ok').first().textContent(), { timeout: 30_000 }).toBe('Bạn đã ký tài liệu này.');
    const kept = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(kept).not.toContain('079088');
    expect(errors).toEqual([]);
    await context.close();

    const env = await call<{ status: string }>('GET', `/v1/envelopes/${created.body.id}`, { key });
    expect(env.body.status).toBe('completed');
  });

  it('an electronic-signature recipient keeps typing/drawing and sees the same CA choice, in English too', async () => {
    const lam = { name: 'Trịnh Văn Lâm', email: uniqueEmail('lam') };
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [lam] }),
    });
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });
    const token = await latestLinkToken(lam.email);
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${baseUrl()}/s/${token}?lang=en`);
    await page.locator('button.remote-provider').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('button.remote-provider').allTextContents()).toEqual([
      'Remote signing with VNPT SmartCA',
      'Remote signing with Viettel MySign',
    ]);
    expect(await page.locator('#typed-name').isVisible()).toBe(true);
    expect(await page.locator('#digital-required').count()).toBe(0);
    await page.close();
  });

  it('console: an admin adds a provider (the secret is write-only) and removes it', async () => {
    const admin = await tenantWithConsoleUser('Công ty TNHH Nhà Cung Cấp', 'rs-e2e-admin');
    const session = await consoleSignIn(admin.email, admin.password);
    const [name, value] = session.cookie.split('=') as [string, string];
    const context = await phoneContext(browser);
    await context.addCookies([{ name, value, domain: new URL(baseUrl()).hostname, path: '/app' }]);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${baseUrl()}/app`);
    await page.locator('#envelopes').waitFor();
    await page.getByRole('link', { name: 'Ký số từ xa' }).click();
    await page.locator('#remote-provider-form').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Nhà cung cấp ký số từ xa');
    await page.getByLabel('Tên hiển thị cho người ký').fill('VNPT SmartCA');
    await page.getByLabel('Địa chỉ API (CSC v2)').fill(vnpt.url);
    await page.getByLabel('Client ID').fill(vnpt.config.clientId);
    await page.getByLabel('Client secret').fill(vnpt.config.clientSecret);
    await page.getByRole('button', { name: 'Thêm nhà cung cấp' }).click();
    await page.locator('#remote-providers tbody tr').first().waitFor();
    const row = page.locator('#remote-providers tbody tr').first();
    expect(await row.locator('td').first().textContent()).toBe('VNPT SmartCA');
    expect(await page.locator('#rs-client-secret').inputValue()).toBe('');
    expect(await page.content()).not.toContain(vnpt.config.clientSecret);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('console-remote-signing-01-added'), fullPage: true });
    const listed = await call<{ providers: { name: string }[] }>('GET', '/v1/remote-signing/providers', { key: admin.apiKey });
    expect(listed.body.providers.map((p) => p.name)).toEqual(['VNPT SmartCA']);

    page.once('dialog', (d) => d.accept());
    await row.getByRole('button', { name: 'Xóa' }).click();
    await page.getByText('Chưa có nhà cung cấp ký số từ xa nào.').waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
