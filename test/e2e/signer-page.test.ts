import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, call, envelopeJson, fixture, latestLinkToken, uniqueEmail } from '../support/api.js';
import { launchBrowser, screenshotPath } from '../support/browser.js';
import { runPdfsig } from '../support/validators.js';

describe('signer page on a 360 px phone', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the pages and fields in Vietnamese, signs with "Ký", and the signature validates', async () => {
    const key = inject('devApiKey');
    const email = uniqueEmail('phone');
    const name = 'Nguyễn Thị <b>Hoa</b>'; // markup in a name must show as text
    const created = await call<{ id: string; documents: { id: string }[] }>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({
        pdf: fixture('hop-dong-lao-dong.pdf'),
        signers: [{ name, email }],
        extraFields: [{ recipient: 0, document: 0, type: 'text', page: 1, x: 60, y: 560, width: 200, height: 20, label: 'Số CCCD' }],
      }),
    });
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });
    const token = await latestLinkToken(email);

    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'vi-VN',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${baseUrl()}/s/${token}`);
    await page.locator('.page canvas').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.page').count()).toBe(2);
    await expect
      .poll(() =>
        page
          .locator('.page canvas')
          .first()
          .evaluate((c: HTMLCanvasElement) => c.width),
      )
      .toBeGreaterThan(300);
    expect(await page.locator('h1').textContent()).toBe('Hợp đồng lao động');
    expect(await page.locator('.field.sig').count()).toBe(1);
    // No horizontal scrolling on a 360 px screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('signer-01-opened'), fullPage: false });

    await page.getByLabel(/Số CCCD/).fill('001099012345');
    expect(await page.locator('#typed-name').inputValue()).toBe(name);
    await page.getByLabel(/Tôi đồng ý/).check();
    const button = page.getByRole('button', { name: 'Ký', exact: true });
    expect(await button.isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('signer-02-filled'), fullPage: true });
    await button.click();
    await page.locator('#signed').waitFor({ timeout: 30_000 });
    expect(await page.locator('#signed').textContent()).toContain('Bạn đã ký thành công');
    // one signer: the envelope is complete, so the certificate of completion is offered too
    const certHref = await page.locator('#certificate-link').getAttribute('href');
    const certRes = await page.request.get(`${baseUrl()}${certHref}`);
    expect(certRes.status()).toBe(200);
    expect(certRes.headers()['content-type']).toBe('application/pdf');
    await page.screenshot({ path: screenshotPath('signer-03-signed'), fullPage: false });
    expect(errors).toEqual([]);
    await context.close();

    const pdf = await call<Uint8Array>('GET', `/v1/envelopes/${created.body.id}/documents/${created.body.documents[0]?.id}`, { key });
    const root = (await call<string>('GET', '/pki/root.pem')).body;
    const sig = runPdfsig(pdf.body, [root]);
    // certification at send, the signer's signature, the document timestamp
    expect(sig.signatures.map((s) => s.subFilter)).toEqual(['ETSI.CAdES.detached', 'ETSI.CAdES.detached', 'unknown']);
    for (const s of sig.signatures.slice(0, 2)) expect(s.valid && s.trusted, sig.output).toBe(true);
    expect(sig.signatures[1]?.signerName).toBe(name);
  });

  it('shows a helpful page in English for a dead link', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
    const r = await page.goto(`${baseUrl()}/s/${'z'.repeat(43)}?lang=en`);
    expect(r?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('This signing link is not valid');
    await page.screenshot({ path: screenshotPath('signer-04-dead-link') });
    await page.close();
  });
});
