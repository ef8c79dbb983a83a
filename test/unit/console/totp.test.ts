import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppDeps, AppEnv } from '../../../functions/api/context.js';
import { errorResponse } from '../../../functions/api/errors.js';
import { consoleRoutes } from '../../../functions/api/routes/console.js';
import { createUser } from '../../../shared/console/create-user.js';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from '../../../shared/console/recovery-codes.js';
import type { Role } from '../../../shared/console/roles.js';
import { LOGIN_LIMITS } from '../../../shared/console/sign-in.js';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, qrSvg, totp, totpStep } from '../../../shared/console/totp.js';
import { memoryConsole, memorySecretBox } from './memory-console.js';

const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'ascii'));

describe('TOTP (RFC 6238 over RFC 4226)', () => {
  it('matches the RFC 4226 HOTP test vectors', () => {
    const secret = ascii('12345678901234567890');
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, i) => hotp(secret, i))).toEqual(expected);
  });

  it('matches the RFC 6238 appendix B vectors (SHA-1, SHA-256, SHA-512; 8 digits, 30 s steps)', () => {
    const times = [59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000];
    const at = (t: number) => totpStep(new Date(t * 1000));
    const sha1 = ascii('12345678901234567890');
    const sha256 = ascii('12345678901234567890123456789012');
    const sha512 = ascii('1234567890123456789012345678901234567890123456789012345678901234');
    expect(times.map((t) => hotp(sha1, at(t), 8, 'sha1'))).toEqual([
      '94287082',
      '07081804',
      '14050471',
      '89005924',
      '69279037',
      '65353130',
    ]);
    expect(times.map((t) => hotp(sha256, at(t), 8, 'sha256'))).toEqual([
      '46119246',
      '68084774',
      '67062674',
      '91819424',
      '90698825',
      '77737706',
    ]);
    expect(times.map((t) => hotp(sha512, at(t), 8, 'sha512'))).toEqual([
      '90693936',
      '25091201',
      '99943326',
      '93441116',
      '38618901',
      '47863826',
    ]);
    // The 6-digit code we use is the same truncation mod 10^6.
    expect(totp(sha1, new Date(59_000))).toBe('287082');
  });

  it('accepts the step before and after, nothing further, and never a step at or before the last used one', () => {
    const secret = ascii('12345678901234567890');
    const now = new Date(1_700_000_000_000);
    const step = totpStep(now);
    const code = (s: number) => hotp(secret, s);
    expect(matchTotp(secret, code(step), now)).toBe(step);
    expect(matchTotp(secret, code(step - 1), now)).toBe(step - 1);
    expect(matchTotp(secret, code(step + 1), now)).toBe(step + 1);
    expect(matchTotp(secret, code(step - 2), now)).toBeUndefined();
    expect(matchTotp(secret, code(step + 2), now)).toBeUndefined();
    expect(matchTotp(secret, code(step), now, step)).toBeUndefined(); // replay
    expect(matchTotp(secret, code(step - 1), now, step)).toBeUndefined(); // older after newer
    expect(matchTotp(secret, 'abcdef', now)).toBeUndefined();
    expect(matchTotp(secret, `${code(step)}0`, now)).toBeUndefined();
  });

  it('encodes base32 and the otpauth URI authenticator apps read, drawn as a QR code', () => {
    const secret = ascii('12345678901234567890');
    expect(base32Encode(secret)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toEqual(secret);
    const uri = new URL(otpauthUri(secret, 'hr@example.vn'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Kyso:hr@example.vn');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      issuer: 'Kyso',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    const svg = qrSvg(uri.toString());
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
    expect(svg.match(/h1v1h-1z/g)?.length).toBeGreaterThan(200);
  });

  it('makes 10 distinct recovery codes of 80 bits, hashed per user, typed in any case with or without dashes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    const c = codes[0] as string;
    expect(normalizeRecoveryCode(c.toUpperCase().replace(/-/g, ' '))).toBe(c.replace(/-/g, ''));
    expect(hashRecoveryCode('u1', c)).toBe(hashRecoveryCode('u1', c.toUpperCase()));
    expect(hashRecoveryCode('u1', c)).not.toBe(hashRecoveryCode('u2', c));
  });
});

/** The console app over the in-memory repository, with a clock the test moves. */
const setup = async (role: Role, extra: Partial<AppDeps> = {}) => {
  let now = new Date('2026-11-25T08:00:10Z');
  const store = memoryConsole();
  const logger = { info() {}, warn() {}, error() {} };
  const deps = {
    console: store.repo,
    secretBox: memorySecretBox(),
    clock: { now: () => now },
    publicUrl: 'https://kyso.example',
    logger,
    maxUploadBytes: 1024 * 1024,
    tenants: { get: async (id: string) => ({ id, name: 'Công ty A', createdAt: '' }) },
    ...extra,
  } as unknown as AppDeps;
  await createUser(deps, { tenantId: 't1', email: 'boss@example.vn', name: 'Giám đốc', password: 'một mật khẩu dài', role });
  const app = new Hono<AppEnv>();
  app.route('/app', consoleRoutes(deps));
  app.onError((e, c) => errorResponse(e, c, logger as never));
  const post = async (path: string, body: unknown) => {
    const res = await app.request(`https://kyso.example/app/api/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
      cookie: res.headers.get('set-cookie'),
    };
  };
  const password = () => post('login', { email: 'boss@example.vn', password: 'một mật khẩu dài' });
  return { store, post, password, advance: (ms: number) => (now = new Date(now.getTime() + ms)), now: () => now };
};

describe('two-factor sign-in', () => {
  it('sends an admin without TOTP to enrolment; the first code stores the secret sealed and returns 10 recovery codes once', async () => {
    const t = await setup('admin');
    const first = await t.password();
    expect(first.status).toBe(200);
    expect(first.cookie).toBeNull(); // no session before the second factor
    expect(first.body.next).toBe('enrol');
    expect(String(first.body.otpauthUri)).toMatch(/^otpauth:\/\/totp\/Kyso:boss%40example.vn\?secret=[A-Z2-7]{32}&/);
    expect(String(first.body.qrSvg)).toMatch(/^<svg /);
    const secret = base32Decode(String(first.body.secret));
    expect((await t.post('login/totp', { challenge: first.body.challenge, code: '000000' })).body.error?.code).toBe('totp_invalid');
    const done = await t.post('login/totp', { challenge: first.body.challenge, code: totp(secret, t.now()) });
    expect(done.status).toBe(200);
    expect(done.cookie).toMatch(/kyso_session=/);
    expect(done.body.role).toBe('admin');
    const codes = done.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    const stored = t.store.users.get('boss@example.vn');
    // Sealed, not in clear, and only hashes of the codes.
    expect(stored?.totpSecret).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain(String(first.body.secret));
    for (const c of codes) expect(JSON.stringify(stored)).not.toContain(c);
    // The challenge is spent.
    expect((await t.post('login/totp', { challenge: first.body.challenge, code: totp(secret, t.now()) })).body.error?.code).toBe(
      'login_challenge_invalid',
    );

    // Next sign-in: TOTP asked for; the enrolment code's step cannot be replayed.
    const again = await t.password();
    expect(again.body.next).toBe('totp');
    expect((await t.post('login/totp', { challenge: again.body.challenge, code: totp(secret, t.now()) })).body.error?.code).toBe(
      'totp_invalid',
    );
    t.advance(30_000);
    const code = totp(secret, t.now());
    const ok = await t.post('login/totp', { challenge: again.body.challenge, code });
    expect(ok.status).toBe(200);
    expect(ok.body.recoveryCodes).toBeUndefined();
    // The same code in a new sign-in: refused (no reuse of a used step).
    const third = await t.password();
    expect((await t.post('login/totp', { challenge: third.body.challenge, code })).body.error?.code).toBe('totp_invalid');
  });

  it('accepts each recovery code once', async () => {
    const t = await setup('admin');
    const first = await t.password();
    const secret = base32Decode(String(first.body.secret));
    const codes = (await t.post('login/totp', { challenge: first.body.challenge, code: totp(secret, t.now()) })).body
      .recoveryCodes as string[];
    const withRecovery = async (recoveryCode: string) => {
      const c = await t.password();
      return t.post('login/totp', { challenge: c.body.challenge, recoveryCode });
    };
    expect((await withRecovery((codes[3] as string).toUpperCase())).status).toBe(200);
    const reused = await withRecovery(codes[3] as string);
    expect(reused.status).toBe(401);
    expect(reused.body.error?.code).toBe('totp_invalid');
    expect((await withRecovery('aaaa-bbbb-cccc-dddd')).status).toBe(401);
    expect((await withRecovery(codes[4] as string)).status).toBe(200);
    expect(Object.keys(t.store.users.get('boss@example.vn')?.recoveryCodes ?? {})).toHaveLength(8);
  });

  it('gives a challenge 5 tries and 5 minutes; a wrong code counts against the sign-in limits', async () => {
    const t = await setup('admin');
    const first = await t.password();
    for (let i = 0; i < 4; i++) expect((await t.post('login/totp', { challenge: first.body.challenge, code: '000000' })).status).toBe(401);
    // The fifth failure on this account from this address: the pair counter (5) is now full.
    expect((await t.post('login/totp', { challenge: first.body.challenge, code: '000001' })).status).toBe(401);
    expect((await t.post('login/totp', { challenge: first.body.challenge, code: '000002' })).body.error?.code).toBe(
      'login_challenge_invalid',
    );
    expect((await t.password()).body.error?.code).toBe('login_locked');
    t.advance(15 * 60_000);
    const later = await t.password();
    expect(later.body.next).toBe('enrol');
    t.advance(5 * 60_000 + 1000);
    const secret = base32Decode(String(later.body.secret));
    expect((await t.post('login/totp', { challenge: later.body.challenge, code: totp(secret, t.now()) })).body.error?.code).toBe(
      'login_challenge_invalid',
    );
  });

  it('lets senders and viewers in with a password alone until they enrol', async () => {
    for (const role of ['sender', 'viewer'] as const) {
      const t = await setup(role);
      const r = await t.password();
      expect(r.body.next).toBe('session');
      expect(r.body.role).toBe(role);
      expect(r.cookie).toMatch(/kyso_session=/);
    }
  });

  it('never lets 60 parallel wrong passwords and the right one past the limit of 5', async () => {
    const t = await setup('sender');
    const wrong = Array.from({ length: 60 }, () => t.post('login', { email: 'boss@example.vn', password: 'sai mật khẩu rồi' }));
    const results = await Promise.all([...wrong.slice(0, 30), t.password(), ...wrong.slice(30)]);
    const checked = results.filter((r) => r.status !== 429);
    expect(checked.filter((r) => r.status === 401).length).toBeLessThanOrEqual(5);
    expect(checked.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.status === 429).every((r) => r.body.error?.code === 'login_locked')).toBe(true);
    // After the limit, the right password is refused too (until the window ends).
    expect((await t.password()).status).toBe(429);
  });

  it('stops one address spraying many accounts at the per-address limit (KYSO_LOGIN_LIMIT_IP), for every account', async () => {
    const t = await setup('sender', { loginLimits: { ...LOGIN_LIMITS, ip: { limit: 3, windowSeconds: 900 } } });
    for (const who of ['a@example.vn', 'b@example.vn', 'c@example.vn']) {
      expect((await t.post('login', { email: who, password: 'đoán bừa một mật khẩu' })).status).toBe(401);
    }
    const locked = await t.password();
    expect(locked.status).toBe(429);
    expect(locked.body.error?.code).toBe('login_locked');
    // The window ends, and so does the lock.
    t.advance(15 * 60_000);
    expect((await t.password()).status).toBe(200);
  });
});
