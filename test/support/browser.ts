import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with the flags this closed network needs (see DESIGN.md); playwright gives it a fresh profile. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

export const ARTIFACTS = join(import.meta.dirname, '../../test-results/screenshots');
export const screenshotPath = (name: string) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, `${name}.png`);
};

/** A 360 px phone (the narrowest screen the pages are made for), in Vietnamese. */
export const phoneContext = (browser: Browser) =>
  browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });

/** Drags a palette chip with the mouse to the point (fx, fy) of a rendered page (fractions of its width/height). */
export const dragField = async (page: Page, type: string, doc: number, pageNo: number, fx: number, fy: number) => {
  const target = page.locator(`.page[data-doc="${doc}"][data-page="${pageNo}"]`);
  await target.evaluate((n, f) => {
    const r = n.getBoundingClientRect();
    window.scrollTo(0, r.top + window.scrollY + r.height * f - window.innerHeight * 0.6);
  }, fy);
  const chip = await page.locator(`.chip[data-type="${type}"]`).boundingBox();
  const box = await target.boundingBox();
  if (!chip || !box) throw new Error('chip or page not visible');
  await page.mouse.move(chip.x + chip.width / 2, chip.y + chip.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 12 });
  await page.mouse.up();
};
