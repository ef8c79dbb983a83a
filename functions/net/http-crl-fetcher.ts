import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CrlFetcher } from '../../shared/verify/ports.js';

/** Loopback, private, link-local, CGNAT, unique-local and unspecified addresses. */
export const isPrivateAddress = (ip: string): boolean => {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  const v6 = ip.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return v6 === '::1' || v6 === '::' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80');
};

export interface HttpCrlFetcherOptions {
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** Local mode only: the platform's own CRLs are served on localhost. */
  readonly allowPrivate?: boolean;
}

/**
 * Fetches CRLs named in certificates of files anyone uploads, so it must not become a way to
 * reach internal hosts: http(s) only, no redirects, the host must resolve to public addresses
 * (checked before connecting; DNS rebinding between the check and the request is not prevented),
 * a short timeout and a size cap.
 */
export const httpCrlFetcher = (options: HttpCrlFetcherOptions = {}): CrlFetcher => {
  const timeoutMs = options.timeoutMs ?? 3000;
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  return async (raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (!options.allowPrivate) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
      if (!addresses.length || addresses.some(isPrivateAddress)) return undefined;
    }
    const r = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    if (r.status !== 200) return undefined;
    const length = Number(r.headers.get('content-length') ?? 0);
    if (length > maxBytes) return undefined;
    const body = new Uint8Array(await r.arrayBuffer());
    return body.length > maxBytes ? undefined : body;
  };
};
