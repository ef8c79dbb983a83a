import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientIp } from '../../../functions/api/client-ip.js';
import { loadConfig } from '../../../functions/config.js';

const ipOf = async (env: unknown, headers: Record<string, string>, trustedProxies = 0) => {
  const app = new Hono();
  app.get('/', (c) => c.text(clientIp(c, trustedProxies) ?? 'none'));
  return (await app.request('/', { headers }, env as never)).text();
};

const local = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

describe('client IP', () => {
  it('locally: the connection, whatever X-Forwarded-For says', async () => {
    expect(await ipOf(local('127.0.0.1'), { 'x-forwarded-for': '1.2.3.4' })).toBe('127.0.0.1');
    expect(await ipOf(local('::ffff:192.0.2.7'), {})).toBe('192.0.2.7');
    expect(await ipOf(local('::1'), { 'x-forwarded-for': 'A'.repeat(14_000) })).toBe('::1');
  });

  it('on Lambda: API Gateway’s requestContext (REST and HTTP API), not the header', async () => {
    expect(await ipOf({ requestContext: { identity: { sourceIp: '203.113.1.9' } } }, { 'x-forwarded-for': '10.0.0.1' })).toBe(
      '203.113.1.9',
    );
    expect(await ipOf({ requestContext: { http: { sourceIp: '2001:ee0::5' } } }, { 'x-forwarded-for': '10.0.0.1' })).toBe('2001:ee0::5');
  });

  it('X-Forwarded-For only with a trusted-proxy count: the entry our proxies appended, validated', async () => {
    const env = { requestContext: { identity: { sourceIp: '130.176.0.1' } } };
    expect(await ipOf(env, { 'x-forwarded-for': 'spoofed, 203.113.1.9' }, 1)).toBe('203.113.1.9');
    expect(await ipOf(env, { 'x-forwarded-for': '9.9.9.9, 203.113.1.9, 130.176.0.2' }, 2)).toBe('203.113.1.9');
    expect(await ipOf(env, { 'x-forwarded-for': 'not-an-ip' }, 1)).toBe('130.176.0.1');
    expect(await ipOf(env, { 'x-forwarded-for': `${'1.1.1.1,'.repeat(500)}8.8.8.8` }, 1)).toBe('130.176.0.1');
  });

  it('never an invalid value', async () => {
    expect(await ipOf(local('garbage'), {})).toBe('none');
    expect(await ipOf(undefined, { 'x-forwarded-for': '1.2.3.4' })).toBe('none');
  });
});

describe('npm start', () => {
  it('binds 127.0.0.1 unless KYSO_HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ KYSO_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({}).trustedProxies).toBe(0);
    expect(loadConfig({ KYSO_TRUSTED_PROXIES: '1' }).trustedProxies).toBe(1);
  });
});
