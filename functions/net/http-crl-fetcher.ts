import type { CrlFetcher } from '../../shared/verify/ports.js';
import { guardedFetch, type Resolver } from './guarded-fetch.js';

export interface HttpCrlFetcherOptions {
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** Local mode only: the platform's own CRLs are served on localhost. */
  readonly allowPrivate?: boolean;
  readonly resolve?: Resolver;
}

/**
 * Fetches CRLs named in certificates of files anyone uploads, through the guarded fetch
 * (guarded-fetch.ts: address checked at connect time, no redirects, time and size capped).
 * Plain http is allowed: CRLs are signed and distribution points are mostly http.
 * Any failure is just missing revocation data (undefined).
 */
export const httpCrlFetcher = (options: HttpCrlFetcherOptions = {}): CrlFetcher => {
  const doFetch = guardedFetch({
    allowHttp: true,
    allowLoopback: options.allowPrivate ?? false,
    timeoutMs: options.timeoutMs ?? 3000,
    maxResponseBytes: options.maxBytes ?? 2 * 1024 * 1024,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  return async (raw) => {
    try {
      const r = await doFetch(raw);
      return r.status === 200 ? new Uint8Array(await r.arrayBuffer()) : undefined;
    } catch {
      return undefined;
    }
  };
};
