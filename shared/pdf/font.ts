import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type FontWeight = 'regular' | 'bold';

const FILES: Record<FontWeight, string> = {
  regular: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  bold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
};
const cache = new Map<FontWeight, Uint8Array>();

/**
 * DejaVu Sans: a free Unicode font with every Vietnamese letter and tone mark. Every PDF we
 * draw embeds a subset of it, so diacritics render identically in every viewer. Resolved
 * from node_modules; the Lambda bundle copies both files to where this resolves
 * (infra/kyso-stack.ts).
 */
export const loadUnicodeFont = (weight: FontWeight = 'regular'): Uint8Array => {
  let bytes = cache.get(weight);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(createRequire(import.meta.url).resolve(FILES[weight])));
    cache.set(weight, bytes);
  }
  return bytes;
};
