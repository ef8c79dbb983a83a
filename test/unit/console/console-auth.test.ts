import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppDeps, AppEnv } from '../../../functions/api/context.js';
import { errorResponse } from '../../../functions/api/errors.js';
import { consoleRoutes } from '../../../functions/api/routes/console.js';
import { createUser } from '../../../shared/console/create-user.js';
import { hashPassword, verifyPassword } from '../../../shared/console/password.js';
import { hashSessionId } from '../../../shared/console/sign-in.js';
import { memoryConsole, memorySecretBox } from './memory-console.js';

const setup = async (publicUrl = 'https://kyso.example') => {
  let now = new Date('2026-11-25T08:00:00Z');
  const clock = { now: () => now };
  const store = memoryConsole();
  const logger = { info() {}, warn() {}, error() {} };
  const deps = {
    console: store.repo,
    secretBox: memorySecretBox(),
    clock,
    publicUrl,
    logger,
    maxUploadBytes: 1024 * 1024,
    tenants: { get: async (id: string) => ({ id, name: 'Công ty A', createdAt: '' }) },
  } as unknown as AppDeps;
  await createUser(deps, { tenantId: 't1', email: 'HR@Example.vn', name: 'HR', password: 'một mật khẩu dài', role: 'sender' });
  const app = new Hono<AppEnv>();
  app.route('/app', consoleRoutes(deps));
  app.onError((e, c) => errorResponse(e, c, logger as never));
  const request = (path: string, init: RequestInit = {}) => app.request(`${publicUrl}${path}`, init);
  const login = async (password = 'một mật khẩu dài', headers: Record<string, string> = {}) =>
    request('/app/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ email: 'hr@example.vn', password }),
    });
  return { app, request, login, store, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
};

const cookieOf = (res: Response) => /kyso_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '';

describe('console passwords', () => {
  it('stores scrypt with a per-user salt and verifies in constant time', async () => {
    const a = await hashPassword('mật khẩu');
    const b = await hashPassword('mật khẩu');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b); // salted
    expect(await verifyPassword('mật khẩu', a)).toBe(true);
    expect(await verifyPassword('mật khẩu ', a)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe('console sessions and CSRF', () => {
  it('signs in with a Secure, HttpOnly, SameSite=Lax cookie whose value is stored only hashed', async () => {
    const { login, store } = await setup();
    expect((await login('sai mật khẩu')).status).toBe(401);
    const res = await login();
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/app/);
    const id = cookieOf(res);
    expect(id.length).toBeGreaterThanOrEqual(43);
    expect([...store.sessions.keys()]).toEqual([hashSessionId(id)]);
    expect(JSON.stringify([...store.sessions])).not.toContain(id);
  });

  it('leaves out Secure on a plain-http local URL', async () => {
    const { login } = await setup('http://localhost:3000');
    expect((await login()).headers.get('set-cookie')).not.toMatch(/Secure/);
  });

  it('refuses state changes without the session CSRF token or from another origin, and a cross-origin login', async () => {
    const { login, request } = await setup();
    expect((await login(undefined, { origin: 'https://evil.example' })).status).toBe(403);
    const res = await login();
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const cookie = `kyso_session=${cookieOf(res)}`;
    const post = (headers: Record<string, string>) =>
      request('/app/api/keys', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: '{"label":"k"}',
      });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'x'.repeat(32) })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrfToken, origin: 'https://evil.example' })).status).toBe(403);
    const ok = await post({ 'x-csrf-token': csrfToken, origin: 'https://kyso.example' });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { key: string }).key).toMatch(/^kyso_/);
    expect((await request('/app/api/me', { headers: { cookie } })).status).toBe(200);
  });

  it('locks this account from this address after 5 failures in the 15-minute window; a success does not count', async () => {
    const { login, advance } = await setup();
    for (let i = 0; i < 4; i++) expect((await login('sai')).status).toBe(401);
    expect((await login()).status).toBe(200); // a success gives its place back
    expect((await login('sai')).status).toBe(401);
    const locked = await login();
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('login_locked');
    advance(15 * 60_000);
    expect((await login()).status).toBe(200);
  });

  it('ends sessions on expiry and on sign-out', async () => {
    const a = await setup();
    const cookie = `kyso_session=${cookieOf(await a.login())}`;
    a.advance(13 * 3600_000);
    expect((await a.request('/app/api/me', { headers: { cookie } })).status).toBe(401);

    const b = await setup();
    const res = await b.login();
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const c2 = `kyso_session=${cookieOf(res)}`;
    expect((await b.request('/app/api/logout', { method: 'POST', headers: { cookie: c2, 'x-csrf-token': csrfToken } })).status).toBe(204);
    expect(b.store.sessions.size).toBe(0);
    expect((await b.request('/app/api/me', { headers: { cookie: c2 } })).status).toBe(401);
  });
});
