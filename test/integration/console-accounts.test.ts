import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../shared/console/totp.js';
import { call, createTenant } from '../support/api.js';
import { localDynamo, TEST_TABLE } from '../support/aws.js';
import { addConsoleUser, consoleCall, type ConsoleCallSession as Session } from '../support/console.js';

const PASSWORD = 'mật khẩu đủ dài 123';
type Body = Record<string, unknown> & { error?: { code: string } };

const addUser = (tenantId: string, role: 'admin' | 'sender' | 'viewer', label: string = role) =>
  addConsoleUser(tenantId, `${label}-acc`, { name: `Người ${role}`, password: PASSWORD, role });

const login = (email: string, password = PASSWORD) => consoleCall('POST', '/login', { json: { email, password } });

/** Password, then (admins) enrolment with a code computed from the secret the server showed. */
const signInAs = async (email: string): Promise<Session & { secret?: Uint8Array; recoveryCodes?: string[] }> => {
  const first = await login(email);
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  if (first.body.next === 'session') return { cookie: first.cookie as string, csrf: String(first.body.csrfToken) };
  expect(first.body.next).toBe('enrol');
  const secret = base32Decode(String(first.body.secret));
  const done = await consoleCall('POST', '/login/totp', { json: { challenge: first.body.challenge, code: totp(secret, new Date()) } });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return { cookie: done.cookie as string, csrf: String(done.body.csrfToken), secret, recoveryCodes: done.body.recoveryCodes as string[] };
};

describe('console sign-in lockout (atomic, per account+address, account, address)', () => {
  it('lets no attempt past the limit when 60 wrong passwords and the right one arrive at once', async () => {
    const { tenantId } = await createTenant('Công ty TNHH Khóa Song Song');
    const email = await addUser(tenantId, 'sender', 'parallel');
    const other = await addUser(tenantId, 'sender', 'bystander');
    const attempts = [
      ...Array.from({ length: 30 }, () => login(email, 'sai mật khẩu rồi')),
      login(email),
      ...Array.from({ length: 30 }, () => login(email, 'sai mật khẩu nữa')),
    ];
    const results = await Promise.all(attempts);
    const checked = results.filter((r) => r.status !== 429);
    // At most 5 wrong passwords were ever checked (the right one, if it got a place, gave it back on success).
    expect(checked.filter((r) => r.status === 401).length).toBeLessThanOrEqual(5);
    expect(checked.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    const odd = checked.filter((r) => r.status !== 401 && r.status !== 200);
    expect(odd.map((r) => `${r.status} ${r.body.error?.code}`)).toEqual([]);
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(55);
    expect(new Set(refused.map((r) => r.body.error?.code))).toEqual(new Set(['login_locked']));
    // The counter now holds exactly the wrong passwords that were checked (the right one, if it got
    // a place, gave it back — possibly after every other attempt was refused, leaving a place free).
    // Filling the rest one by one is checked each time; then even the right password is refused.
    const wrongChecked = checked.filter((r) => r.status === 401).length;
    for (let i = wrongChecked; i < 5; i++) expect((await login(email, 'sai lần nữa')).status).toBe(401);
    const after = await login(email);
    expect(after.status).toBe(429);
    expect(after.body.error?.code).toBe('login_locked');
    // Another account from the same address is not locked by it.
    expect((await login(other)).status).toBe(200);
  });
});

describe('TOTP for admins (enrolment by QR, sealed secret, recovery codes)', () => {
  let tenantId: string;
  beforeAll(async () => {
    tenantId = (await createTenant('Công ty TNHH Hai Bước')).tenantId;
  });

  it('sends an admin to enrolment after the password, stores the secret KMS-sealed, then asks for a code each time', async () => {
    const email = await addUser(tenantId, 'admin');
    const first = await login(email);
    expect(first.status).toBe(200);
    expect(first.cookie).toBeUndefined();
    expect(first.body.next).toBe('enrol');
    expect(String(first.body.qrSvg)).toMatch(/^<svg /);
    expect(String(first.body.otpauthUri)).toContain(`secret=${String(first.body.secret)}`);
    // No session until the second factor: the challenge is not a cookie.
    expect((await consoleCall('GET', '/me')).status).toBe(401);
    const secret = base32Decode(String(first.body.secret));
    const done = await consoleCall('POST', '/login/totp', { json: { challenge: first.body.challenge, code: totp(secret, new Date()) } });
    expect(done.status).toBe(200);
    const codes = done.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    const me = await consoleCall('GET', '/me', { session: { cookie: done.cookie as string, csrf: '' } });
    expect(me.body.role).toBe('admin');

    const item = (await localDynamo().send(new GetCommand({ TableName: TEST_TABLE, Key: { pk: `USER#${email}`, sk: 'USER' } }))).Item;
    expect(String(item?.totpSecret)).toMatch(/^kms1\.[\w-]+\.[\w-]{16}\.[\w-]+$/);
    expect(JSON.stringify(item)).not.toContain(String(first.body.secret));
    expect(Object.keys(item?.recoveryCodes ?? {})).toHaveLength(10);
    for (const c of codes) expect(JSON.stringify(item)).not.toContain(c);

    const second = await login(email);
    expect(second.body.next).toBe('totp');
    // The enrolment code's step is spent; the recovery code works once.
    const recovered = await consoleCall('POST', '/login/totp', { json: { challenge: second.body.challenge, recoveryCode: codes[0] } });
    expect(recovered.status).toBe(200);
    const third = await login(email);
    const reused = await consoleCall('POST', '/login/totp', { json: { challenge: third.body.challenge, recoveryCode: codes[0] } });
    expect(reused.status).toBe(401);
    expect(reused.body.error?.code).toBe('totp_invalid');
    const bad = await consoleCall('POST', '/login/totp', { json: { challenge: 'x'.repeat(43), code: '123456' } });
    expect(bad.body.error?.code).toBe('login_challenge_invalid');
  });
});

/** [method, console path, body, the least role that may]: one row per route family of /app/api. */
const CONSOLE_ROUTES: readonly [string, string, unknown, 'viewer' | 'sender' | 'admin'][] = [
  ['GET', '/me', undefined, 'viewer'],
  ['GET', '/envelopes', undefined, 'viewer'],
  ['GET', '/templates', undefined, 'viewer'],
  ['GET', '/keys', undefined, 'viewer'],
  ['POST', '/envelopes', { title: 'x' }, 'sender'],
  ['POST', '/envelopes/nope/void', { reason: 'x' }, 'sender'],
  ['POST', '/templates', {}, 'sender'],
  ['POST', '/bulk', {}, 'sender'],
  ['POST', '/keys', { label: 'mine' }, 'sender'],
  ['POST', '/keys', { label: 'too strong', scopes: ['admin'] }, 'admin'],
  ['POST', '/envelopes/nope/legal-hold', { reason: 'x' }, 'admin'],
  ['GET', '/users', undefined, 'admin'],
  ['POST', '/users', { email: 'x@example.vn', name: 'X', role: 'viewer', password: 'short' }, 'admin'],
];
const RANK = { viewer: 0, sender: 1, admin: 2 } as const;

describe('roles on every console route family', () => {
  const sessions: Partial<Record<'viewer' | 'sender' | 'admin', Session>> = {};
  beforeAll(async () => {
    const { tenantId } = await createTenant('Công ty TNHH Ba Vai Trò');
    for (const role of ['viewer', 'sender', 'admin'] as const) sessions[role] = await signInAs(await addUser(tenantId, role));
  });

  for (const role of ['viewer', 'sender', 'admin'] as const) {
    it.each(CONSOLE_ROUTES)(`${role}: %s %s`, async (method, path, json, least) => {
      const r = await consoleCall(method, path, { json, session: sessions[role] as Session });
      expect(r.status).toBeLessThan(500);
      if (RANK[role] < RANK[least]) {
        expect(r.status, JSON.stringify(r.body)).toBe(403);
        expect(r.body.error?.code).toBe('insufficient_role');
      } else {
        expect(r.body.error?.code, JSON.stringify(r.body)).not.toBe('insufficient_role');
      }
    });
  }

  it('gives a sender key send scopes at most, and lets it revoke only its own keys', async () => {
    const sender = sessions.sender as Session;
    const made = await consoleCall('POST', '/keys', { json: { label: 'HR bot' }, session: sender });
    expect(made.status).toBe(201);
    expect(made.body.scopes).toEqual(['read', 'send']);
    const list = await consoleCall('GET', '/keys', { session: sender });
    const firstKey = (list.body.items as { id: string; label: string }[]).find((k) => k.label === 'first key (admin)');
    const refused = await consoleCall('DELETE', `/keys/${firstKey?.id}`, { session: sender });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('insufficient_role');
    expect((await consoleCall('DELETE', `/keys/${String(made.body.id)}`, { session: sender })).status).toBe(204);
  });
});

/** [method, /v1 path, body, scope needed]: one row per route family of the tenant API. */
const API_ROUTES: readonly [string, string, unknown, 'read' | 'send' | 'admin'][] = [
  ['GET', '/v1/envelopes', undefined, 'read'],
  ['POST', '/v1/envelopes', {}, 'send'],
  ['POST', '/v1/envelopes/nope/send', {}, 'send'],
  ['GET', '/v1/templates', undefined, 'read'],
  ['POST', '/v1/templates', {}, 'send'],
  ['POST', '/v1/bulk', {}, 'send'],
  ['POST', '/v1/uploads', {}, 'send'],
  ['GET', '/v1/settings', undefined, 'read'],
  ['PUT', '/v1/settings', {}, 'admin'],
  ['GET', '/v1/webhooks', undefined, 'admin'],
  ['POST', '/v1/webhooks', {}, 'admin'],
  ['POST', '/v1/seal', {}, 'admin'],
  ['PUT', '/v1/remote-signing', {}, 'admin'],
  ['PUT', '/v1/verify/trust-roots', {}, 'admin'],
  ['POST', '/v1/envelopes/nope/legal-hold', {}, 'admin'],
];
const SCOPE_RANK = { read: 0, send: 1, admin: 2 } as const;

describe('API key scopes on every /v1 route family', () => {
  const keys: Partial<Record<'read' | 'send' | 'admin', string>> = {};
  beforeAll(async () => {
    const { tenantId } = await createTenant('Công ty TNHH Phạm Vi Khóa');
    const admin = await signInAs(await addUser(tenantId, 'admin'));
    for (const scope of ['read', 'send', 'admin'] as const) {
      const r = await consoleCall('POST', '/keys', { json: { label: scope, scopes: [scope] }, session: admin });
      expect(r.status).toBe(201);
      keys[scope] = String(r.body.key);
    }
  });

  for (const held of ['read', 'send', 'admin'] as const) {
    it.each(API_ROUTES)(`${held} key: %s %s`, async (method, path, json, needed) => {
      const r = await call<Body>(method, path, { key: keys[held] as string, ...(json !== undefined ? { json } : {}) });
      expect(r.status).toBeLessThan(500);
      if (SCOPE_RANK[held] < SCOPE_RANK[needed]) {
        expect(r.status, JSON.stringify(r.body)).toBe(403);
        expect(r.body.error?.code).toBe('insufficient_scope');
      } else {
        expect(r.body.error?.code ?? '', JSON.stringify(r.body)).not.toBe('insufficient_scope');
      }
    });
  }
});
