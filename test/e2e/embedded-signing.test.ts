import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, call, envelopeJson, fixture } from '../support/api.js';
import { launchBrowser, screenshotPath } from '../support/browser.js';

/**
 * Embedded signing in a real browser: an integrator's page on another loopback origin loads
 * kyso-embed.js from the API, frames the single-use URL, the signer signs inside the frame, and
 * the promise resolves with "signed". A page on a third origin that frames a link made for the
 * integrator's origin is refused by frame-ancestors and hears nothing.
 */
const integratorPage = (kyso: string) => `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>HR</title></head>
<body><h1>Cổng nhân sự</h1><div id="ky" style="height:1400px"></div>
<script type="module">
import { openSigning } from '${kyso}/assets/kyso-embed.js';
window.__events = [];
window.addEventListener('message', (e) => window.__events.push({ origin: e.origin, type: e.data && e.data.type }));
const params = new URLSearchParams(location.search);
openSigning({ url: params.get('u'), container: document.getElementById('ky'), readyTimeoutMs: Number(params.get('t')) })
  .then((outcome) => { window.__outcome = outcome; });
</script></body></html>`;

const startSite = async (): Promise<{ origin: string; server: Server }> => {
  const server = createServer((req, res) =>
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(req.url?.startsWith('/done') ? '<!doctype html><title>done</title><p id="done">Xong</p>' : integratorPage(baseUrl())),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
};

/** What the integrator's page saw: the promise's outcome (once settled) and every message event. */
const seen = (page: import('playwright-core').Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __outcome?: Record<string, string>; __events: { origin: string; type: string }[] };
    return { outcome: w.__outcome, events: w.__events };
  });

describe('embedded signing in the browser', () => {
  let browser: Browser;
  let site: { origin: string; server: Server };
  let other: { origin: string; server: Server };
  beforeAll(async () => {
    [browser, site, other] = await Promise.all([launchBrowser(), startSite(), startSite()]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([site, other].map((s) => s && new Promise((r) => s.server.close(r))));
  });

  it('signs inside the integrator’s page; the promise resolves with signed; another origin receives nothing', async () => {
    const key = inject('devApiKey');
    const json = envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [{ name: 'Phạm Thị Dung', email: 'x@example.vn' }] });
    const created = await call<{ id: string; recipients: { id: string }[] }>('POST', '/v1/envelopes', {
      key,
      json: { ...json, recipients: [{ name: 'Phạm Thị Dung', role: 'signer', order: 1, delivery: 'embedded' }] },
    });
    expect(created.status).toBe(201);
    expect((await call('POST', `/v1/envelopes/${created.body.id}/send`, { key })).status).toBe(200);
    const rid = created.body.recipients[0]?.id ?? '';
    const link = async () => {
      const r = await call<{ url: string }>('POST', `/v1/envelopes/${created.body.id}/recipients/${rid}/embedded-link`, {
        key,
        json: { allowedOrigin: site.origin, returnUrl: `${site.origin}/done` },
      });
      expect(r.status).toBe(201);
      // The URL is on PUBLIC_URL; the test server listens elsewhere.
      return `${baseUrl()}${new URL(r.body.url).pathname}`;
    };

    // A third origin frames a link made for the integrator: refused by CSP, no event reaches it.
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 }, locale: 'vi-VN' });
    const intruder = await context.newPage();
    await intruder.goto(`${other.origin}/?t=3000&u=${encodeURIComponent(await link())}`);
    await intruder.waitForFunction(() => (window as unknown as { __outcome?: unknown }).__outcome !== undefined, undefined, {
      timeout: 30_000,
    });
    const refused = await seen(intruder);
    expect(refused.outcome?.status).toBe('error');
    expect(refused.events).toEqual([]);
    // The frame stayed empty: Chromium refused to render the signer page there (frame-ancestors).
    const frames = intruder.frames().filter((f) => f !== intruder.mainFrame());
    expect(frames).toHaveLength(1);
    expect(await frames[0]?.locator('#app').count()).toBe(0);

    // The integrator's own page: sign in the frame.
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.origin}/?t=60000&u=${encodeURIComponent(await link())}`);
    const frame = page.frameLocator('iframe[data-kyso-embed]');
    await frame.locator('#sign-form').waitFor({ timeout: 60_000 });
    expect(await frame.locator('html').getAttribute('lang')).toBe('vi');
    await frame.getByLabel(/Tôi đồng ý/).check();
    await frame.getByRole('button', { name: 'Ký', exact: true }).click();
    await page.waitForFunction(() => (window as unknown as { __outcome?: unknown }).__outcome !== undefined, undefined, {
      timeout: 60_000,
    });
    const result = await seen(page);
    expect(result.outcome).toEqual({ status: 'signed', envelopeId: created.body.id, recipientId: rid });
    const kyso = new URL(baseUrl()).origin;
    expect(result.events.map((e) => e.type)).toEqual(expect.arrayContaining(['kyso:ready', 'kyso:signed']));
    expect(result.events.every((e) => e.origin === kyso)).toBe(true);
    await page.screenshot({ path: screenshotPath('embedded-01-signed'), fullPage: false });
    expect(errors).toEqual([]);
    // The intruder still heard nothing.
    expect((await seen(intruder)).events).toEqual([]);
    await context.close();

    const envelope = await call<{ status: string }>('GET', `/v1/envelopes/${created.body.id}`, { key });
    expect(envelope.body.status).toBe('completed');
  });

  it('redirect mode: not framed, the page returns to returnUrl with the outcome after signing', async () => {
    const key = inject('devApiKey');
    const json = envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [{ name: 'Vũ Minh Khoa', email: 'x@example.vn' }] });
    const created = await call<{ id: string; recipients: { id: string }[] }>('POST', '/v1/envelopes', {
      key,
      json: { ...json, language: 'en', recipients: [{ name: 'Vũ Minh Khoa', role: 'signer', order: 1, delivery: 'embedded' }] },
    });
    expect((await call('POST', `/v1/envelopes/${created.body.id}/send`, { key })).status).toBe(200);
    const made = await call<{ url: string }>(
      'POST',
      `/v1/envelopes/${created.body.id}/recipients/${created.body.recipients[0]?.id}/embedded-link`,
      {
        key,
        json: { allowedOrigin: site.origin, returnUrl: `${site.origin}/done?order=42` },
      },
    );
    expect(made.status).toBe(201);
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 }, locale: 'vi-VN' });
    const page = await context.newPage();
    await page.goto(`${baseUrl()}${new URL(made.body.url).pathname}`);
    await page.locator('#sign-form').waitFor({ timeout: 60_000 });
    // The envelope's language, not the browser's.
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByLabel(/I agree/).check();
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.waitForURL(`${site.origin}/done**`, { timeout: 60_000 });
    const back = new URL(page.url());
    expect([back.pathname, back.searchParams.get('order'), back.searchParams.get('kyso_event')]).toEqual(['/done', '42', 'signed']);
    await context.close();
    expect((await call<{ status: string }>('GET', `/v1/envelopes/${created.body.id}`, { key })).body.status).toBe('completed');
  });
});
