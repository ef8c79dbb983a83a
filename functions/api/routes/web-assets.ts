import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A file of web/, read once per container. Resolved from this module's URL: in the Lambda bundle
 * every module shares the bundle's URL, which sits at this file's depth (infra API_BUNDLE_PATH),
 * and the files are copied there (infra API_RUNTIME_FILES).
 */
const cache = new Map<string, Uint8Array<ArrayBuffer>>();
export const readWebFile = (path: string): Uint8Array<ArrayBuffer> => {
  let bytes = cache.get(path);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../web/${path}`, import.meta.url))));
    cache.set(path, bytes);
  }
  return bytes;
};

/** The base stylesheet (web/shared/base.css) as text, for the pages that inline it. */
export const baseCss = (): string => new TextDecoder().decode(readWebFile('shared/base.css'));
