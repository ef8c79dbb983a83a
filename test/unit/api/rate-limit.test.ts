import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../../functions/api/context.js';
import { errorResponse } from '../../../functions/api/errors.js';
import { ipRateLimit, memoryRateCounter, tenantRateLimit } from '../../../functions/api/rate-limit.js';
import { prefetchLink } from '../../../functions/api/signing-grant.js';
import { silentLogger } from '../../../functions/logger.js';
import { hashToken } from '../../../shared/envelope/notify-recipients.js';

const appWith = (now: { t: number }) => {
  const counter = memoryRateCounter();
  const clock = { now: () => new Date(now.t) };
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    const ip = c.req.header('x-test-ip');
    if (ip) c.set('clientIp', ip);
    const tenant = c.req.header('x-test-tenant');
    if (tenant) c.set('tenantId', tenant);
    await next();
  });
  app.use('/public/*', ipRateLimit({ counter, clock, rule: { limit: 3, windowSeconds: 60 }, scope: 'public' }));
  app.use('/tenant/*', tenantRateLimit({ counter, clock, rule: { limit: 2, windowSeconds: 60 } }));
  app.get('/public/x', (c) => c.text('ok'));
  app.get('/tenant/x', (c) => c.text('ok'));
  app.onError((e, c) => errorResponse(e, c, silentLogger));
  return app;
};

describe('rate limits', () => {
  it('per IP: X-RateLimit-* on every answer, then 429 rate_limited with Retry-After until the window ends', async () => {
    const now = { t: Date.parse('2026-12-01T10:00:10Z') };
    const app = appWith(now);
    const hit = (ip: string) => app.request('/public/x', { headers: { 'x-test-ip': ip } });
    for (let i = 0; i < 3; i++) {
      const r = await hit('203.113.1.1');
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit')).toBe('3');
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(2 - i));
    }
    const refused = await hit('203.113.1.1');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(refused.headers.get('retry-after')).toBe('50');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await hit('203.113.1.2')).status).toBe(200);
    now.t += 50_000;
    expect((await hit('203.113.1.1')).status).toBe(200);
  });

  it('per tenant, independent of IP', async () => {
    const app = appWith({ t: Date.parse('2026-12-01T10:00:00Z') });
    const hit = (tenant: string, ip: string) => app.request('/tenant/x', { headers: { 'x-test-tenant': tenant, 'x-test-ip': ip } });
    expect((await hit('t1', '1.1.1.1')).status).toBe(200);
    expect((await hit('t1', '2.2.2.2')).status).toBe(200);
    expect((await hit('t1', '3.3.3.3')).status).toBe(429);
    expect((await hit('t2', '3.3.3.3')).status).toBe(200);
  });

  it('signer links: the grant and its envelope are read while the count is written, and a refused request stops there', async () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUv_-12';
    const reads: string[] = [];
    let countWritten = false;
    const deps = {
      tokens: {
        get: async (hash: string) => {
          reads.push(`token ${hash === hashToken(token) ? 'hashed' : hash} (count written: ${countWritten})`);
          return hash === hashToken(token)
            ? { tenantId: 't1', envelopeId: 'e1', recipientId: 'r1', expiresAt: '2099-01-01T00:00:00Z' }
            : undefined;
        },
        put: async () => {},
        delete: async () => {},
      },
      envelopes: { get: async (tenantId: string, envelopeId: string) => void reads.push(`envelope ${tenantId}/${envelopeId}`) },
    } as never;
    const counter = {
      hit: async () => {
        await new Promise((r) => setTimeout(r, 20));
        countWritten = true;
        return 2;
      },
    };
    const app = new Hono<AppEnv>();
    let routeRan = 0;
    app.use(
      '/v1/sign/*',
      ipRateLimit({
        counter,
        clock: { now: () => new Date() },
        rule: { limit: 1, windowSeconds: 60 },
        scope: 'public',
        alongside: (c) => prefetchLink(deps, c.req.path),
      }),
    );
    app.post('/v1/sign/:token', (c) => c.text(String(++routeRan)));
    app.onError((e, c) => errorResponse(e, c, silentLogger));
    const r = await app.request(`/v1/sign/${token}`, { method: 'POST' });
    expect(r.status).toBe(429);
    expect(routeRan).toBe(0);
    // Both reads ran before the count came back (20 ms later), the envelope after its grant.
    expect(reads).toEqual(['token hashed (count written: false)', 'envelope t1/e1']);
    // Paths that hold no token start nothing.
    reads.length = 0;
    for (const path of ['/v1/sign/short', '/v1/sign/', '/v1/verify/AbCdEfGhIjKlMnOpQrStUv_-12']) prefetchLink(deps, path);
    prefetchLink(deps, `/v1/sign/${token}/documents/d1`);
    await new Promise((r) => setTimeout(r, 5));
    expect(reads).toEqual(['token hashed (count written: true)', 'envelope t1/e1']);
  });
});
