import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isBlockedAddress, isLoopbackAddress } from './address-policy.js';

/**
 * The one way the server calls a URL that a tenant, a signer or a file supplied (CSC providers,
 * TSAs, webhooks, CRL distribution points, identity providers, messaging callbacks, the labour
 * platform). It is a drop-in `fetch` (inject it where a port takes `fetch?: typeof fetch`) that:
 * - takes https only (plain http only where the caller says so — CRLs — or to loopback in local mode);
 * - refuses credentials in the URL, trailing-dot, single-label and special-use names;
 * - checks the address AT CONNECT TIME: the socket's own DNS lookup is replaced by one that
 *   refuses private, loopback, link-local, CGNAT, multicast, reserved, IPv4-mapped/embedded
 *   and unspecified addresses (address-policy.ts), so DNS rebinding between a check and the
 *   connection is impossible; the connected peer's address is checked once more;
 * - follows no redirect unless `maxRedirects` > 0, and then re-checks every hop;
 * - caps the whole exchange in time and the response body in bytes.
 * Failures are `OutboundRequestError` with a short reason; callers must not pass upstream text
 * (bodies, status texts) on to their own callers.
 */

export type OutboundFailure =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'host_not_allowed'
  | 'address_not_allowed'
  | 'redirect_not_allowed'
  | 'response_too_large'
  | 'timeout'
  | 'unreachable';

export class OutboundRequestError extends Error {
  constructor(readonly reason: OutboundFailure) {
    super(`outbound request refused or failed: ${reason}`);
    this.name = 'OutboundRequestError';
  }
}

/** Resolves a name to every address it has; injected in tests so no request leaves the machine. */
export type Resolver = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

export interface GuardedFetchOptions {
  /** Local mode: plain http and loopback addresses are allowed too (test servers on 127.0.0.1). */
  readonly allowLoopback?: boolean;
  /** Plain http allowed (CRLs are signed data usually published over http); addresses are still checked. */
  readonly allowHttp?: boolean;
  /** Whole exchange, connect to last byte (default 10 s). */
  readonly timeoutMs?: number;
  /** Largest response body (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /** Redirects followed, each re-checked (default 0: a 3xx is returned as it is, body dropped). */
  readonly maxRedirects?: number;
  readonly resolve?: Resolver;
}

const SPECIAL_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.arpa', '.invalid', '.test', '.example', '.onion'];

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The URL-level checks (no DNS): scheme, credentials, the host name's shape and literal addresses. */
export const checkOutboundUrl = (raw: string, options: GuardedFetchOptions = {}): URL => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRequestError('invalid_url');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Plain http: where the caller allows it (CRLs), or in local mode to a loopback test server.
  const plainHttpOk = options.allowHttp || (options.allowLoopback && (host === 'localhost' || isLoopbackAddress(host)));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainHttpOk)) throw new OutboundRequestError('scheme_not_allowed');
  if (url.username || url.password) throw new OutboundRequestError('invalid_url');
  if (isIP(host)) {
    if (isBlockedAddress(host) && !(options.allowLoopback && isLoopbackAddress(host)))
      throw new OutboundRequestError('address_not_allowed');
    return url;
  }
  if (options.allowLoopback && host === 'localhost') return url;
  const name = host.toLowerCase();
  const badName =
    !name ||
    name.endsWith('.') ||
    !name.includes('.') ||
    !/^[a-z0-9.-]+$/.test(name) ||
    name.split('.').some((label) => !label || label.length > 63) ||
    name === 'localhost' ||
    SPECIAL_SUFFIXES.some((s) => name.endsWith(s)) ||
    // Numeric-looking names the URL parser did not turn into an address (e.g. 1.2.3.4.5): never a real host.
    /^[0-9.]+$/.test(name) ||
    /^0x/i.test(name);
  if (badName) throw new OutboundRequestError('host_not_allowed');
  return url;
};

const guardedLookup =
  (options: GuardedFetchOptions): LookupFunction =>
  (hostname, lookupOptions, callback) => {
    (options.resolve ?? systemResolver)(hostname).then(
      (all) => {
        const wanted =
          lookupOptions.family === 4 || lookupOptions.family === 6 ? all.filter((a) => a.family === lookupOptions.family) : all;
        const allowed = (a: { address: string }) => !isBlockedAddress(a.address) || (options.allowLoopback && isLoopbackAddress(a.address));
        // One refused address refuses the name: a name mixing public and private answers is an attack.
        if (!wanted.length || !wanted.every(allowed)) {
          callback(new OutboundRequestError(wanted.length ? 'address_not_allowed' : 'unreachable'), '', 0);
          return;
        }
        if (lookupOptions.all) (callback as unknown as (e: null, a: typeof wanted) => void)(null, wanted);
        else callback(null, wanted[0]?.address ?? '', wanted[0]?.family ?? 4);
      },
      () => callback(new OutboundRequestError('unreachable'), '', 0),
    );
  };

const bodyBytes = (body: RequestInit['body']): Buffer | undefined => {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('guardedFetch: body must be a string, bytes or URLSearchParams');
};

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

const once = (url: URL, init: RequestInit, options: GuardedFetchOptions, deadline: number): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const payload = bodyBytes(init.body);
    if (payload) headers['content-length'] = String(payload.length);
    const requestOptions: RequestOptions = {
      method: init.method ?? 'GET',
      headers,
      agent: false,
      lookup: guardedLookup(options),
      timeout: Math.max(1, deadline - Date.now()),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e instanceof OutboundRequestError ? e : new OutboundRequestError('unreachable'));
    };
    const timer = setTimeout(() => fail(new OutboundRequestError('timeout')), Math.max(1, deadline - Date.now()));
    const onAbort = () => fail(new OutboundRequestError('timeout'));
    init.signal?.addEventListener('abort', onAbort, { once: true });
    const req = send(url, requestOptions, (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > maxBytes) return fail(new OutboundRequestError('response_too_large'));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(new OutboundRequestError('response_too_large'));
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        init.signal?.removeEventListener('abort', onAbort);
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
      });
      res.on('error', fail);
    });
    // Belt and braces: the peer we actually reached must be allowed too.
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        const peer = socket.remoteAddress ?? '';
        if (isBlockedAddress(peer) && !(options.allowLoopback && isLoopbackAddress(peer)))
          fail(new OutboundRequestError('address_not_allowed'));
      });
    });
    req.on('timeout', () => fail(new OutboundRequestError('timeout')));
    req.on('error', fail);
    if (init.signal?.aborted) return fail(new OutboundRequestError('timeout'));
    req.end(payload);
  });

/** Builds the guarded fetch; see the file comment. */
export const guardedFetch = (options: GuardedFetchOptions = {}): typeof fetch => {
  const fetchGuarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    let url = checkOutboundUrl(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, options);
    let current = init;
    for (let hop = 0; ; hop++) {
      const res = await once(url, current, options, deadline);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location && hop < (options.maxRedirects ?? 0)) {
        url = checkOutboundUrl(new URL(location, url).href, options);
        // 303 (and 301/302 after a POST, as browsers do) become a GET without a body.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && current.method === 'POST')) {
          current = { ...current, method: 'GET', body: null };
        }
        continue;
      }
      if (res.status < 200 || res.status > 599) throw new OutboundRequestError('unreachable');
      const nullBody = res.status === 204 || res.status === 205 || res.status === 304;
      return new Response(nullBody ? null : new Uint8Array(res.body), { status: res.status, headers: res.headers });
    }
  };
  return fetchGuarded as typeof fetch;
};
