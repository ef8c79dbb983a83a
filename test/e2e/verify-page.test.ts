import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshotPath } from '../support/browser.js';
import { signedDocument } from '../unit/verify/documents.js';
import { flipSignedByte } from '../unit/verify/tamper.js';

describe('the /verify page on a 360 px phone', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('uploads a PDF through the form and shows the result per signature, in Vietnamese, without horizontal scrolling', async () => {
    const { pdf } = await signedDocument({ signers: 2 });
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${inject('baseUrl')}/verify`);
    await page.screenshot({ path: screenshotPath('verify-01-form') });
    await page.setInputFiles('input[type=file]', { name: 'hop-dong.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) });
    await Promise.all([page.waitForURL(/\/v1\/verify/), page.click('button[type=submit]:not(.secondary)')]);
    await page.screenshot({ path: screenshotPath('verify-02-report'), fullPage: true });
    const text = await page.textContent('body');
    // signed under a test root the platform does not trust
    expect(text).toContain('Chưa xác định');
    expect(text).toContain('Chữ ký 1 · Chữ ký phê duyệt');
    expect(text).toContain('Người ký 2');
    expect(text).toContain('Dấu thời gian tài liệu');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // again from the report page, with a damaged copy
    await page.setInputFiles('input[type=file]', {
      name: 'sua.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(flipSignedByte(pdf)),
    });
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]:not(.secondary)')]);
    expect(await page.textContent('body')).toContain('Nội dung đã bị thay đổi sau khi ký');
    await page.screenshot({ path: screenshotPath('verify-03-tampered'), fullPage: true });
  });
});
