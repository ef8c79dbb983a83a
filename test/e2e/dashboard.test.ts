import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11yProblems } from '../support/a11y.js';
import { baseUrl, uniqueEmail } from '../support/api.js';
import { launchBrowser, screenshotPath } from '../support/browser.js';
import { fillSignIn, tenantWithConsoleUser } from '../support/console.js';
import { createAndSend } from '../support/workflow.js';

/** The console home at 360 px: the overview above the list, Vietnamese first, English with ?lang=en. */
describe('console home: the overview (issue 18)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows counts, whose turn it is, what expires soon and the 30-day chart on a phone', async () => {
    const tenant = await tenantWithConsoleUser('Công ty Tổng Quan', 'hr-dash', { name: 'Nhân sự', role: 'sender' });
    const { email } = tenant;
    await createAndSend(tenant.apiKey, [{ name: 'Hoàng Thị Duyên', email: uniqueEmail('dash-signer') }], {
      title: 'Hợp đồng thử việc',
      expiresAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });

    const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${baseUrl()}/app`);
    await fillSignIn(page, email);
    await page.locator('#dashboard').waitFor();
    expect(await page.locator('#dash-title').textContent()).toBe('Tổng quan');
    expect(await page.locator('#dash-counts li[data-status="sent"]').textContent()).toBe('1 Đang chờ ký');
    expect(await page.locator('#dash-waiting tbody').textContent()).toContain('Hoàng Thị Duyên');
    expect(await page.locator('#dash-expiring tbody').textContent()).toContain('Hợp đồng thử việc');
    expect(await page.locator('#dash-failures').textContent()).toBe('Không có tin nhắn nào gửi thất bại.');
    // The chart is the server's SVG, shown as an image that fits the screen.
    const chart = page.locator('#dash-activity img');
    expect(await chart.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(await chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const box = await chart.boundingBox();
    expect(box?.width).toBeLessThanOrEqual(360);
    // The list is still there below it, and the page does not scroll sideways.
    await page.locator('#envelopes').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await a11yProblems(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('console-dashboard-vi-360'), fullPage: true });

    await page.goto(`${baseUrl()}/app?lang=en#/`);
    await page.locator('#dashboard').waitFor();
    expect(await page.locator('#dash-title').textContent()).toBe('Overview');
    expect(await page.locator('#dash-activity figcaption').textContent()).toContain('envelopes completed in 30 days');
    expect(problems).toEqual([]);
    await context.close();
  });
});
