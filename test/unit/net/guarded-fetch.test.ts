import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../../functions/net/address-policy.js';
import { checkOutboundUrl, guardedFetch, OutboundRequestError, type Resolver } from '../../../functions/net/guarded-fetch.js';

/**
 * The SSRF battery. No request leaves the machine: names are answered by an injected resolver,
 * and the only server that can be reached is a loopback test server (which counts its hits).
 */

let server: Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(2 * 1024 * 1024));
    } else if (req.url === '/chunked-big') {
      res.writeHead(200);
      for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024));
      res.end();
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 2000).unref();
    } else if (req.url === '/redirect-loopback') {
      res.writeHead(302, { location: 'http://127.0.0.1:1/x' });
      res.end();
    } else if (req.url === '/redirect-meta') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    } else if (req.url === '/redirect-ok') {
      res.writeHead(302, { location: '/hello' });
      res.end();
    } else {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`hello ${req.method} ${body}`);
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A DNS where every name the battery uses resolves as an attacker would make it. */
const zone: Record<string, string[]> = {
  'rebind.attacker.vn': ['127.0.0.1'],
  'meta.attacker.vn': ['169.254.169.254'],
  'v6loop.attacker.vn': ['::1'],
  'mapped.attacker.vn': ['::ffff:127.0.0.1'],
  'mixed.attacker.vn': ['203.113.1.1', '10.0.0.5'],
  'cgnat.attacker.vn': ['100.100.100.100'],
  'ula.attacker.vn': ['fd00::1'],
  'zero.attacker.vn': ['0.0.0.0'],
  'multicast.attacker.vn': ['239.1.1.1'],
  'nat64.attacker.vn': ['64:ff9b::a9fe:a9fe'],
  'sixtofour.attacker.vn': ['2002:7f00:1::1'],
  'nowhere.attacker.vn': [],
};
let lookups: string[] = [];
const resolve: Resolver = async (name) => {
  lookups.push(name);
  const found = zone[name];
  if (!found) throw new Error('ENOTFOUND');
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const refusedUrls: readonly [string, string][] = [
  ['http://example.vn/', 'scheme_not_allowed'],
  ['ftp://example.vn/', 'scheme_not_allowed'],
  ['file:///etc/passwd', 'scheme_not_allowed'],
  ['gopher://example.vn/', 'scheme_not_allowed'],
  ['data:text/plain,hi', 'scheme_not_allowed'],
  ['not a url', 'invalid_url'],
  ['https://user:pass@example.vn/', 'invalid_url'],
  ['https://127.0.0.1/', 'address_not_allowed'],
  ['https://127.1/', 'address_not_allowed'],
  ['https://2130706433/', 'address_not_allowed'],
  ['https://0x7f000001/', 'address_not_allowed'],
  ['https://0177.0.0.1/', 'address_not_allowed'],
  ['https://0/', 'address_not_allowed'],
  ['https://0.0.0.0/', 'address_not_allowed'],
  ['https://10.1.2.3/', 'address_not_allowed'],
  ['https://172.16.0.1/', 'address_not_allowed'],
  ['https://172.31.255.255/', 'address_not_allowed'],
  ['https://192.168.1.1/', 'address_not_allowed'],
  ['https://169.254.169.254/latest/meta-data/', 'address_not_allowed'],
  ['https://100.64.0.1/', 'address_not_allowed'],
  ['https://100.127.255.254/', 'address_not_allowed'],
  ['https://224.0.0.1/', 'address_not_allowed'],
  ['https://255.255.255.255/', 'address_not_allowed'],
  ['https://240.0.0.1/', 'address_not_allowed'],
  ['https://198.18.0.1/', 'address_not_allowed'],
  ['https://192.0.0.170/', 'address_not_allowed'],
  ['https://[::1]/', 'address_not_allowed'],
  ['https://[::]/', 'address_not_allowed'],
  ['https://[::ffff:a9fe:a9fe]/', 'address_not_allowed'],
  ['https://[::ffff:127.0.0.1]/', 'address_not_allowed'],
  ['https://[::ffff:10.0.0.1]/', 'address_not_allowed'],
  ['https://[::127.0.0.1]/', 'address_not_allowed'],
  ['https://[fe80::1]/', 'address_not_allowed'],
  ['https://[fc00::1]/', 'address_not_allowed'],
  ['https://[fd12:3456::1]/', 'address_not_allowed'],
  ['https://[ff02::1]/', 'address_not_allowed'],
  ['https://[fec0::1]/', 'address_not_allowed'],
  ['https://[64:ff9b::7f00:1]/', 'address_not_allowed'],
  ['https://[2002:a9fe:a9fe::1]/', 'address_not_allowed'],
  ['https://[2001:db8::1]/', 'address_not_allowed'],
  ['https://[2001::1]/', 'address_not_allowed'],
  ['https://localhost/', 'host_not_allowed'],
  ['https://LOCALHOST/', 'host_not_allowed'],
  ['https://api.localhost/', 'host_not_allowed'],
  ['https://example.vn./', 'host_not_allowed'],
  ['https://localhost./', 'host_not_allowed'],
  ['https://metadata/', 'host_not_allowed'],
  ['https://metadata.google.internal/', 'host_not_allowed'],
  ['https://printer.local/', 'host_not_allowed'],
  ['https://1.1.1.1.1/', 'invalid_url'],
  ['https://*.example.vn/', 'host_not_allowed'],
];

describe('guarded fetch: URLs refused before any lookup', () => {
  it.each(refusedUrls)('%s → %s', async (url, reason) => {
    lookups = [];
    const f = guardedFetch({ resolve });
    await expect(f(url)).rejects.toMatchObject({ name: 'OutboundRequestError', reason });
    expect(lookups).toEqual([]);
  });

  it('has at least 40 cases', () => expect(refusedUrls.length).toBeGreaterThanOrEqual(40));

  it.each([
    'https://tsa.vnpt-ca.vn/tsa',
    'https://rmgateway.vnptit.vn/csc/v2',
    'https://hooks.example.com:8443/kyso',
    'https://[2404:6800:4005:80a::200e]/',
    'https://203.113.1.1/',
    'https://xn--ti-iia.vn/',
  ])('accepts the shape of %s (no request made)', (url) => {
    expect(checkOutboundUrl(url).href).toBe(new URL(url).href);
  });
});

describe('guarded fetch: the address is checked at connect time', () => {
  it.each([
    ['rebind.attacker.vn', 'address_not_allowed'],
    ['meta.attacker.vn', 'address_not_allowed'],
    ['v6loop.attacker.vn', 'address_not_allowed'],
    ['mapped.attacker.vn', 'address_not_allowed'],
    ['mixed.attacker.vn', 'address_not_allowed'],
    ['cgnat.attacker.vn', 'address_not_allowed'],
    ['ula.attacker.vn', 'address_not_allowed'],
    ['zero.attacker.vn', 'address_not_allowed'],
    ['multicast.attacker.vn', 'address_not_allowed'],
    ['nat64.attacker.vn', 'address_not_allowed'],
    ['sixtofour.attacker.vn', 'address_not_allowed'],
    ['nowhere.attacker.vn', 'unreachable'],
    ['unknown.attacker.vn', 'unreachable'],
  ])('%s → %s, through the socket lookup, nothing reaches the server', async (name, reason) => {
    lookups = [];
    const before = hits;
    const f = guardedFetch({ resolve, allowHttp: true });
    await expect(f(`http://${name}:${port}/hello`)).rejects.toMatchObject({ reason });
    expect(lookups).toEqual([name]);
    expect(hits).toBe(before);
  });

  it('the same injected lookup is what the socket connects with: allowed in local mode, it reaches the loopback server', async () => {
    const f = guardedFetch({ resolve, allowLoopback: true, allowHttp: true });
    const res = await f(`http://rebind.attacker.vn:${port}/hello`, { method: 'POST', body: 'x' });
    expect(await res.text()).toBe('hello POST x');
  });
});

describe('guarded fetch: redirects, size and time', () => {
  const local = guardedFetch({ allowLoopback: true, timeoutMs: 500, maxResponseBytes: 1024 * 1024 });

  it('does not follow redirects by default: the 3xx is returned without a body', async () => {
    const res = await local(`http://127.0.0.1:${port}/redirect-ok`);
    expect(res.status).toBe(302);
  });

  it('re-checks every hop when redirects are allowed', async () => {
    const follow = guardedFetch({
      allowLoopback: false,
      allowHttp: true,
      maxRedirects: 3,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    await expect(follow(`http://public.attacker.vn:${port}/redirect-meta`)).rejects.toMatchObject({ reason: 'address_not_allowed' });
    const followLocal = guardedFetch({ allowLoopback: true, maxRedirects: 3 });
    await expect(followLocal(`http://127.0.0.1:${port}/redirect-ok`).then((r) => r.text())).resolves.toBe('hello GET ');
    const followOut = guardedFetch({ allowHttp: true, maxRedirects: 3, resolve });
    await expect(followOut(`http://rebind.attacker.vn:${port}/redirect-ok`)).rejects.toMatchObject({ reason: 'address_not_allowed' });
  });

  it('caps the response by its declared and its actual length', async () => {
    await expect(local(`http://127.0.0.1:${port}/big`)).rejects.toMatchObject({ reason: 'response_too_large' });
    await expect(local(`http://127.0.0.1:${port}/chunked-big`)).rejects.toMatchObject({ reason: 'response_too_large' });
  });

  it('caps the whole exchange in time', async () => {
    const started = Date.now();
    await expect(local(`http://127.0.0.1:${port}/slow`)).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('honours the caller’s abort signal', async () => {
    await expect(local(`http://127.0.0.1:${port}/slow`, { signal: AbortSignal.timeout(50) })).rejects.toBeInstanceOf(OutboundRequestError);
  });
});

describe('address policy', () => {
  it.each(['8.8.8.8', '203.113.1.1', '2404:6800:4005:80a::200e', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is public', (ip) =>
    expect(isBlockedAddress(ip)).toBe(false),
  );
  it.each(['fe80::1%eth0', 'not-an-ip', '::ffff:7f00:1', '0:0:0:0:0:ffff:169.254.169.254', '1::2::3'])('%s is refused', (ip) =>
    expect(isBlockedAddress(ip)).toBe(true),
  );
});
