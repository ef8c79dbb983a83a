import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let cached: Uint8Array | undefined;

/**
 * DejaVu Sans: a free Unicode font with every Vietnamese letter and tone mark. Every PDF we
 * draw embeds a subset of it, so diacritics render identically in every viewer.
 * `KYSO_FONT_PATH` (read by the entry point, passed as `path`) lets a bundle ship it elsewhere.
 */
export const loadUnicodeFont = (path?: string): Uint8Array => {
  if (!cached) {
    const file = path ?? createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
    cached = new Uint8Array(readFileSync(file));
  }
  return cached;
};
