import { describe, expect, it } from 'vitest';
import { confirmTotp, turnOffTotp } from '../../../shared/console/account-security.js';
import { createUser } from '../../../shared/console/create-user.js';
import { changeRole, resetTotp, setDisabled } from '../../../shared/console/manage-users.js';
import type { ConsoleSession, ConsoleUser } from '../../../shared/console/ports.js';
import { completeSignIn, hashSessionId, resolveSession, signIn, startEnrolment } from '../../../shared/console/sign-in.js';
import { base32Decode, totp } from '../../../shared/console/totp.js';
import { memoryConsole, memorySecretBox } from './memory-console.js';

const PASSWORD = 'một mật khẩu dài';

const setup = async () => {
  const now = new Date('2026-12-02T08:00:00Z');
  const store = memoryConsole();
  const deps = { console: store.repo, secretBox: memorySecretBox(), clock: { now: () => now } };
  const add = async (email: string, role?: 'admin' | 'sender' | 'viewer', tenantId = 't1') =>
    createUser(deps, { tenantId, email, name: email, password: PASSWORD, ...(role ? { role } : {}) });
  const sessionOf = (u: Pick<ConsoleUser, 'id' | 'tenantId' | 'email'>, createdAt = now.toISOString()): ConsoleSession => ({
    userId: u.id,
    tenantId: u.tenantId,
    email: u.email,
    role: 'admin',
    csrfToken: 'x',
    createdAt,
    expiresAt: '2026-12-03T00:00:00Z',
  });
  return { deps, store, add, sessionOf, now };
};

describe('user management rules (shared/console/manage-users.ts)', () => {
  it('counts a user made before roles as an admin when keeping the last one', async () => {
    const { deps, store, add, sessionOf } = await setup();
    const legacy = await add('cu@example.vn');
    // A user item from before roles: no role attribute at all.
    const { role: _r, ...noRole } = store.users.get('cu@example.vn') as ConsoleUser;
    store.users.set('cu@example.vn', noRole);
    const other = await add('moi@example.vn', 'admin');
    await changeRole(deps, sessionOf(other), other.id, 'sender');
    expect(store.users.get('moi@example.vn')?.role).toBe('sender');
    await expect(changeRole(deps, sessionOf(legacy), legacy.id, 'viewer')).rejects.toMatchObject({ code: 'last_admin' });
    await expect(setDisabled(deps, sessionOf(legacy), legacy.id, true)).rejects.toMatchObject({ code: 'last_admin' });
  });

  it("refuses another tenant's user id as not found", async () => {
    const { deps, add, sessionOf } = await setup();
    const admin = await add('a@example.vn', 'admin');
    const stranger = await add('b@example.vn', 'sender', 't2');
    for (const act of [
      () => changeRole(deps, sessionOf(admin), stranger.id, 'viewer'),
      () => setDisabled(deps, sessionOf(admin), stranger.id, true),
      () => resetTotp(deps, sessionOf(admin), stranger.id),
    ]) {
      await expect(act()).rejects.toMatchObject({ code: 'console_user_not_found' });
    }
  });

  it('ends sessions begun before a disable, also after re-enabling, and takes the role from the user', async () => {
    const { deps, store, add, sessionOf } = await setup();
    const admin = await add('a@example.vn', 'admin');
    const sender = await add('s@example.vn', 'sender');
    await store.repo.putSession(hashSessionId('s'.repeat(32)), sessionOf(sender, '2026-12-02T07:00:00.000Z'));
    expect((await resolveSession(deps, 's'.repeat(32)))?.role).toBe('sender');
    await setDisabled(deps, sessionOf(admin), sender.id, true);
    expect(await resolveSession(deps, 's'.repeat(32))).toBeUndefined();
    await setDisabled(deps, sessionOf(admin), sender.id, false);
    expect(await resolveSession(deps, 's'.repeat(32))).toBeUndefined();
    await store.repo.putSession(hashSessionId('n'.repeat(32)), sessionOf(sender, '2026-12-02T09:00:00.000Z'));
    await changeRole(deps, sessionOf(admin), sender.id, 'viewer');
    expect((await resolveSession(deps, 'n'.repeat(32)))?.role).toBe('viewer');
  });

  it('refuses a user disabled between the password and the code', async () => {
    const { deps, add, sessionOf } = await setup();
    const admin = await add('a@example.vn', 'admin');
    const other = await add('b@example.vn', 'admin');
    const step = await signIn(deps, { email: 'b@example.vn', password: PASSWORD });
    if (step.next !== 'enrol') throw new Error('expected enrolment');
    await setDisabled(deps, sessionOf(admin), other.id, true);
    const code = totp(base32Decode(step.secret), new Date('2026-12-02T08:00:00Z'));
    await expect(completeSignIn(deps, { challenge: step.challenge, code })).rejects.toMatchObject({ code: 'account_disabled' });
  });
});

describe('self-service two-step sign-in (shared/console/account-security.ts)', () => {
  it('keeps a console enrolment and a sign-in enrolment apart', async () => {
    const { deps, add, sessionOf, now } = await setup();
    const sender = await add('s@example.vn', 'sender');
    const selfEnrol = await startEnrolment(deps, sender, 'self-enrol');
    const code = totp(base32Decode(selfEnrol.secret), now);
    // Posted to the sign-in's second step, a console enrolment gives no session.
    await expect(completeSignIn(deps, { challenge: selfEnrol.challenge, code })).rejects.toMatchObject({ code: 'login_challenge_invalid' });
    // And a sign-in enrolment (or another user's) is not accepted by the console.
    const other = await add('o@example.vn', 'sender');
    const theirs = await startEnrolment(deps, other, 'self-enrol');
    await expect(
      confirmTotp(deps, sessionOf(sender), { challenge: theirs.challenge, code: totp(base32Decode(theirs.secret), now) }),
    ).rejects.toMatchObject({ code: 'login_challenge_invalid' });
    const again = await startEnrolment(deps, sender, 'self-enrol');
    expect(
      await confirmTotp(deps, sessionOf(sender), { challenge: again.challenge, code: totp(base32Decode(again.secret), now) }),
    ).toHaveLength(10);
  });

  it('keeps it on for a user an admin reset, until they enrol again', async () => {
    const { deps, store, add, sessionOf, now } = await setup();
    const admin = await add('a@example.vn', 'admin');
    const sender = await add('s@example.vn', 'sender');
    await resetTotp(deps, sessionOf(admin), sender.id);
    expect(store.users.get('s@example.vn')?.totpRequired).toBe(true);
    const step = await signIn(deps, { email: 's@example.vn', password: PASSWORD });
    expect(step.next).toBe('enrol');
    if (step.next !== 'enrol') return;
    await completeSignIn(deps, { challenge: step.challenge, code: totp(base32Decode(step.secret), now) });
    expect(store.users.get('s@example.vn')?.totpRequired).toBeUndefined();
    await expect(turnOffTotp(deps, sessionOf(admin), { code: '123456' })).rejects.toMatchObject({ code: 'totp_required' });
  });
});
