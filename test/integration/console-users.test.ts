import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, TOTP_STEP_SECONDS, totp } from '../../shared/console/totp.js';
import { createTenant } from '../support/api.js';
import { localDynamo, TEST_TABLE } from '../support/aws.js';
import { addConsoleUser, CONSOLE_PASSWORD, type ConsoleCallSession, consoleCall, consoleSignIn } from '../support/console.js';

type Role = 'admin' | 'sender' | 'viewer';
type Session = ConsoleCallSession & { userEmail: string };

/** Signs in over HTTP as the page does (admins enrol TOTP); the session as consoleCall wants it. */
const signIn = async (email: string, password = CONSOLE_PASSWORD): Promise<Session & { secret?: Uint8Array }> => {
  const s = await consoleSignIn(email, password);
  return { cookie: s.cookie, csrf: s.csrfToken, userEmail: email, ...(s.secret ? { secret: s.secret } : {}) };
};

const login = (email: string, password = CONSOLE_PASSWORD) => consoleCall('POST', '/login', { json: { email, password } });

type UserRow = { id: string; email: string; role: Role; totpEnabled: boolean; disabled: boolean; updatedBy?: string };
const usersOf = async (admin: Session): Promise<UserRow[]> => {
  const r = await consoleCall('GET', '/users', { session: admin });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items as UserRow[];
};
const idOf = async (admin: Session, email: string) => (await usersOf(admin)).find((u) => u.email === email)?.id as string;

/**
 * TOTP codes of the steps around now. A step is spent once used, and the server accepts the
 * steps now-1..now+1, so a test uses them in order: at(-1), then at(0), then at(1). Starts at
 * least 5 s before a step boundary (a bounded wait) so the three stay valid while the test runs.
 */
const codes = async (secret: Uint8Array) => {
  const left = TOTP_STEP_SECONDS * 1000 - (Date.now() % (TOTP_STEP_SECONDS * 1000));
  if (left < 5000) await new Promise((r) => setTimeout(r, left + 50));
  const base = Date.now();
  return (step: -1 | 0 | 1) => totp(secret, new Date(base + step * TOTP_STEP_SECONDS * 1000));
};

describe('user management by tenant admins (console /app/api/users)', () => {
  let tenantId: string;
  let admin: Session;
  let adminId: string;
  const others: Partial<Record<'sender' | 'viewer', Session>> = {};
  beforeAll(async () => {
    tenantId = (await createTenant('Công ty TNHH Quản Lý Người Dùng')).tenantId;
    const adminEmail = await addConsoleUser(tenantId, 'users-admin', { name: 'Quản trị viên' });
    admin = await signIn(adminEmail);
    adminId = await idOf(admin, adminEmail);
    for (const role of ['sender', 'viewer'] as const)
      others[role] = await signIn(await addConsoleUser(tenantId, `users-${role}`, { role }));
  });

  const MANAGEMENT: readonly [string, string, unknown][] = [
    ['GET', '/users', undefined],
    ['POST', '/users', { email: 'moi@example.vn', name: 'Người mới', role: 'viewer' }],
    ['GET', '/users/changes', undefined],
    ['PUT', '/users/any/role', { role: 'admin' }],
    ['POST', '/users/any/disable', undefined],
    ['POST', '/users/any/enable', undefined],
    ['POST', '/users/any/totp/reset', undefined],
  ];
  it.each(MANAGEMENT)('refuses senders and viewers: %s %s → 403 insufficient_role', async (method, path, json) => {
    for (const role of ['sender', 'viewer'] as const) {
      const r = await consoleCall(method, path, { json, session: others[role] as Session });
      expect(r.status, `${role} ${JSON.stringify(r.body)}`).toBe(403);
      expect(r.body.error?.code).toBe('insufficient_role');
    }
  });

  it('refuses a change without the CSRF token', async () => {
    const r = await consoleCall('POST', `/users/${adminId}/disable`, { session: { ...admin, csrf: 'wrong' } });
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('forbidden');
  });

  it('adds a sender with an initial password shown once (stored only hashed), who signs in with it and changes it', async () => {
    const email = `nguoi-gui-${Date.now()}@example.vn`;
    const r = await consoleCall('POST', '/users', { json: { email, name: 'Nguyễn Thị Gửi', role: 'sender' }, session: admin });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const initial = String(r.body.initialPassword);
    expect(initial).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(r.body.user).toMatchObject({ email, name: 'Nguyễn Thị Gửi', role: 'sender', totpEnabled: false, disabled: false });
    const item = (await localDynamo().send(new GetCommand({ TableName: TEST_TABLE, Key: { pk: `USER#${email}`, sk: 'USER' } }))).Item;
    expect(JSON.stringify(item)).not.toContain(initial);
    expect(item?.createdBy).toBe(adminId);
    expect((await usersOf(admin)).find((u) => u.email === email)).toMatchObject({ role: 'sender', totpEnabled: false, disabled: false });
    // The same email again: 409.
    const again = await consoleCall('POST', '/users', { json: { email, name: 'X', role: 'viewer' }, session: admin });
    expect(again.body.error?.code).toBe('conflict');

    const sender = await signIn(email, initial);
    const wrong = await consoleCall('POST', '/me/password', {
      json: { currentPassword: 'not it at all', newPassword: 'một mật khẩu mới dài' },
      session: sender,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.code).toBe('password_invalid');
    const changed = await consoleCall('POST', '/me/password', {
      json: { currentPassword: initial, newPassword: 'một mật khẩu mới dài' },
      session: sender,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(204);
    expect((await login(email, initial)).status).toBe(401);
    expect((await login(email, 'một mật khẩu mới dài')).status).toBe(200);
  });

  it("answers 404 for another tenant's user on every change", async () => {
    const other = (await createTenant('Công ty TNHH Người Ngoài')).tenantId;
    const strangerEmail = await addConsoleUser(other, 'stranger', { role: 'sender' });
    const strangerAdmin = await signIn(await addConsoleUser(other, 'stranger-admin'));
    const strangerId = await idOf(strangerAdmin, strangerEmail);
    expect((await usersOf(admin)).some((u) => u.email === strangerEmail)).toBe(false);
    for (const [method, path, json] of [
      ['PUT', `/users/${strangerId}/role`, { role: 'admin' }],
      ['POST', `/users/${strangerId}/disable`, undefined],
      ['POST', `/users/${strangerId}/enable`, undefined],
      ['POST', `/users/${strangerId}/totp/reset`, undefined],
    ] as const) {
      const r = await consoleCall(method, path, { json, session: admin });
      expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBe(404);
      expect(r.body.error?.code).toBe('console_user_not_found');
    }
    // Nothing changed there.
    expect((await usersOf(strangerAdmin)).find((u) => u.email === strangerEmail)).toMatchObject({ role: 'sender', disabled: false });
  });

  it("changes a role, effective at the user's next request, and records who did it", async () => {
    const email = await addConsoleUser(tenantId, 'demoted', { role: 'sender' });
    const user = await signIn(email);
    expect((await consoleCall('POST', '/envelopes', { json: { title: 'x' }, session: user })).body.error?.code).not.toBe(
      'insufficient_role',
    );
    const id = await idOf(admin, email);
    const bad = await consoleCall('PUT', `/users/${id}/role`, { json: { role: 'owner' }, session: admin });
    expect(bad.status).toBe(400);
    expect((await consoleCall('PUT', `/users/${id}/role`, { json: { role: 'viewer' }, session: admin })).status).toBe(204);
    const r = await consoleCall('POST', '/envelopes', { json: { title: 'x' }, session: user });
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('insufficient_role');
    expect((await consoleCall('GET', '/me', { session: user })).body.role).toBe('viewer');
    expect((await usersOf(admin)).find((u) => u.id === id)).toMatchObject({ role: 'viewer', updatedBy: adminId });
    const changes = (await consoleCall('GET', '/users/changes', { session: admin })).body.items as Record<string, unknown>[];
    expect(changes.find((c) => c.userId === id)).toMatchObject({ action: 'role', role: 'viewer', by: adminId });
  });

  it('disables a user: their existing session is refused and they cannot sign in until enabled; old sessions stay dead', async () => {
    const email = await addConsoleUser(tenantId, 'disabled', { role: 'sender' });
    const user = await signIn(email);
    const id = await idOf(admin, email);
    expect((await consoleCall('POST', `/users/${id}/disable`, { session: admin })).status).toBe(204);
    const refused = await consoleCall('GET', '/me', { session: user });
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('unauthorized');
    const again = await login(email);
    expect(again.status).toBe(403);
    expect(again.body.error?.code).toBe('account_disabled');
    // A wrong password still says only "wrong" (a guesser learns nothing about the account).
    expect((await login(email, 'sai mật khẩu rồi')).body.error?.code).toBe('unauthorized');
    expect((await usersOf(admin)).find((u) => u.id === id)?.disabled).toBe(true);

    expect((await consoleCall('POST', `/users/${id}/enable`, { session: admin })).status).toBe(204);
    expect((await consoleCall('GET', '/me', { session: user })).status).toBe(401);
    const back = await signIn(email);
    expect((await consoleCall('GET', '/me', { session: back })).status).toBe(200);
    const actions = ((await consoleCall('GET', '/users/changes', { session: admin })).body.items as { userId: string; action: string }[])
      .filter((c) => c.userId === id)
      .map((c) => c.action);
    expect(actions).toEqual(['enable', 'disable', 'create']);
  });

  it('never lets the tenant lose its last active admin, even when two admins demote each other at once', async () => {
    // The only admin: cannot demote or disable themself.
    const alone = (await createTenant('Công ty TNHH Một Quản Trị')).tenantId;
    const soleEmail = await addConsoleUser(alone, 'sole-admin');
    const sole = await signIn(soleEmail);
    const soleId = await idOf(sole, soleEmail);
    for (const [method, path, json] of [
      ['PUT', `/users/${soleId}/role`, { role: 'sender' }],
      ['POST', `/users/${soleId}/disable`, undefined],
    ] as const) {
      const r = await consoleCall(method, path, { json, session: sole });
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.error?.code).toBe('last_admin');
    }
    expect((await consoleCall('GET', '/me', { session: sole })).body.role).toBe('admin');

    // Two admins demoting each other in parallel: one wins, the other is refused.
    const secondEmail = await addConsoleUser(alone, 'second-admin');
    const second = await signIn(secondEmail);
    const secondId = await idOf(sole, secondEmail);
    const both = await Promise.all([
      consoleCall('PUT', `/users/${secondId}/role`, { json: { role: 'sender' }, session: sole }),
      consoleCall('PUT', `/users/${soleId}/role`, { json: { role: 'sender' }, session: second }),
    ]);
    const statuses = both.map((r) => r.status).sort();
    // The loser fails on the condition (409 last_admin) or, having read after the winner's write, on its own role (403).
    expect(statuses[0]).toBe(204);
    expect([403, 409]).toContain(statuses[1]);
    const stillAdmin = both[0]?.status === 204 ? sole : second;
    const admins = (await usersOf(stillAdmin)).filter((u) => u.role === 'admin' && !u.disabled);
    expect(admins).toHaveLength(1);
  });

  it("resets a user's second factor: they enrol again at their next sign-in", async () => {
    const email = await addConsoleUser(tenantId, 'reset', { role: 'sender' });
    const user = await signIn(email);
    const begin = await consoleCall('POST', '/me/totp', { session: user });
    const secret = base32Decode(String(begin.body.secret));
    const at = await codes(secret);
    expect(
      (await consoleCall('POST', '/me/totp/confirm', { json: { challenge: begin.body.challenge, code: at(-1) }, session: user })).status,
    ).toBe(200);
    expect((await usersOf(admin)).find((u) => u.email === email)?.totpEnabled).toBe(true);
    expect((await login(email)).body.next).toBe('totp');

    const id = await idOf(admin, email);
    expect((await consoleCall('POST', `/users/${id}/totp/reset`, { session: admin })).status).toBe(204);
    expect((await usersOf(admin)).find((u) => u.id === id)?.totpEnabled).toBe(false);
    const next = await login(email);
    expect(next.body.next).toBe('enrol');
    expect(next.cookie).toBeUndefined();
    const item = (await localDynamo().send(new GetCommand({ TableName: TEST_TABLE, Key: { pk: `USER#${email}`, sk: 'USER' } }))).Item;
    expect(item?.totpSecret).toBeUndefined();
    expect(item?.recoveryCodes).toBeUndefined();
    // Enrolling again clears the requirement; the user then has a (new) second factor.
    const again = await signIn(email);
    expect((await consoleCall('GET', '/me/security', { session: again })).body).toMatchObject({ enabled: true, required: false });
  });
});

describe('two-step sign-in for every user, from the console (/app/api/me)', () => {
  let tenantId: string;
  beforeAll(async () => {
    tenantId = (await createTenant('Công ty TNHH Bảo Mật Tài Khoản')).tenantId;
  });

  const enrol = async (session: Session) => {
    const status = await consoleCall('GET', '/me/security', { session });
    expect(status.body).toMatchObject({ enabled: false, required: false, recoveryCodesLeft: 0 });
    const begin = await consoleCall('POST', '/me/totp', { session });
    expect(begin.status, JSON.stringify(begin.body)).toBe(200);
    expect(String(begin.body.qrSvg)).toMatch(/^<svg /);
    expect(String(begin.body.otpauthUri)).toContain(`secret=${String(begin.body.secret)}`);
    const secret = base32Decode(String(begin.body.secret));
    const wrong = await consoleCall('POST', '/me/totp/confirm', { json: { challenge: begin.body.challenge, code: '000000' }, session });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('totp_invalid');
    // The page's api() keeps the session on totp_invalid: the session still works.
    expect((await consoleCall('GET', '/me', { session })).status).toBe(200);
    const at = await codes(secret);
    const done = await consoleCall('POST', '/me/totp/confirm', { json: { challenge: begin.body.challenge, code: at(-1) }, session });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const recoveryCodes = done.body.recoveryCodes as string[];
    expect(recoveryCodes).toHaveLength(10);
    expect((await consoleCall('GET', '/me/security', { session })).body).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    // A login challenge is not an enrolment and the other way round.
    const reuse = await consoleCall('POST', '/login/totp', { json: { challenge: begin.body.challenge, code: at(0) } });
    expect(reuse.body.error?.code).toBe('login_challenge_invalid');
    return { secret, at, recoveryCodes };
  };

  it('a sender turns TOTP on, then needs a code at sign-in, and turns it off only with a valid code', async () => {
    const email = await addConsoleUser(tenantId, 'self-totp', { role: 'sender' });
    const session = await signIn(email);
    const { at } = await enrol(session);
    expect((await consoleCall('POST', '/me/totp', { session })).body.error?.code).toBe('totp_already_enabled');

    const first = await login(email);
    expect(first.body.next).toBe('totp');
    expect(first.cookie).toBeUndefined();
    const second = await consoleCall('POST', '/login/totp', { json: { challenge: first.body.challenge, code: at(0) } });
    expect(second.status).toBe(200);

    const wrong = await consoleCall('POST', '/me/totp/off', { json: { code: '123456' }, session });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('totp_invalid');
    // The code just used at sign-in is spent.
    expect((await consoleCall('POST', '/me/totp/off', { json: { code: at(0) }, session })).body.error?.code).toBe('totp_invalid');
    expect((await consoleCall('GET', '/me/security', { session })).body.enabled).toBe(true);
    expect((await consoleCall('POST', '/me/totp/off', { json: { code: at(1) }, session })).status).toBe(204);
    expect((await consoleCall('GET', '/me/security', { session })).body.enabled).toBe(false);
    const plain = await login(email);
    expect(plain.body.next).toBe('session');
    expect(plain.cookie).toBeDefined();
  });

  it('a viewer regenerates recovery codes with a current code: the old ones stop working, the new ones work once', async () => {
    const email = await addConsoleUser(tenantId, 'regen', { role: 'viewer' });
    const session = await signIn(email);
    const { at, recoveryCodes: old } = await enrol(session);
    const wrong = await consoleCall('POST', '/me/totp/recovery-codes', { json: { code: '999999' }, session });
    expect(wrong.body.error?.code).toBe('totp_invalid');
    const r = await consoleCall('POST', '/me/totp/recovery-codes', { json: { code: at(0) }, session });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const fresh = r.body.recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => old.includes(c))).toBe(false);

    const withOld = await login(email);
    expect((await consoleCall('POST', '/login/totp', { json: { challenge: withOld.body.challenge, recoveryCode: old[0] } })).status).toBe(
      401,
    );
    const withNew = await login(email);
    expect((await consoleCall('POST', '/login/totp', { json: { challenge: withNew.body.challenge, recoveryCode: fresh[0] } })).status).toBe(
      200,
    );
    expect((await consoleCall('GET', '/me/security', { session })).body.recoveryCodesLeft).toBe(9);
  });

  it('an admin cannot turn theirs off', async () => {
    const email = await addConsoleUser(tenantId, 'admin-keeps');
    const admin = await signIn(email);
    expect((await consoleCall('GET', '/me/security', { session: admin })).body).toMatchObject({ enabled: true, required: true });
    const r = await consoleCall('POST', '/me/totp/off', { json: { code: totp(admin.secret as Uint8Array, new Date()) }, session: admin });
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('totp_required');
    expect((await consoleCall('GET', '/me/security', { session: admin })).body.enabled).toBe(true);
  });
});
