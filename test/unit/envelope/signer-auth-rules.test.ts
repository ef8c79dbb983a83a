import { describe, expect, it } from 'vitest';
import type { SignerAuthState } from '../../../shared/envelope/ports.js';
import { accessCodeMatches, hashAccessCode } from '../../../shared/envelope/signer-auth.js';
import { checkCode, emptyAuthState, hashOtp, issueCode, isVerified, OTP_RULES } from '../../../shared/envelope/signer-auth-rules.js';
import type { AppError } from '../../../shared/errors.js';

const T0 = new Date('2026-11-25T08:00:00.000Z');
const plus = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const fresh = () => emptyAuthState('t', 'e', 'r');
const check = (s: SignerAuthState, code: string, now: Date, tokenHash = 'tok') =>
  checkCode(s, { now, tokenHash, method: 'otp', matches: (x) => x.codeHash === hashOtp('r', code) });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as AppError).code;
  }
};

describe('one-time codes', () => {
  it('works for 10 minutes, once, and only for the link that verified', () => {
    const s = issueCode(fresh(), '123456', T0);
    expect(s.codeExpiresAt).toBe(plus(10 * MIN).toISOString());
    expect(s.codeHash).not.toContain('123456');
    const ok = check(s, '123456', plus(9 * MIN));
    expect(ok.ok).toBe(true);
    expect(ok.state.codeHash).toBeUndefined();
    expect(isVerified(ok.state, 'tok', plus(9 * MIN))).toBe(true);
    expect(isVerified(ok.state, 'other-token', plus(9 * MIN))).toBe(false);
    expect(isVerified(ok.state, 'tok', plus(9 * MIN + OTP_RULES.verifiedTtlMs))).toBe(false);
    expect(check(ok.state, '123456', plus(9 * MIN)).reason).toBe('none');
    const late = check(s, '123456', plus(10 * MIN));
    expect(late).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('locks after 5 wrong codes, for 30 minutes, killing the current code', () => {
    let s = issueCode(fresh(), '123456', T0);
    for (let i = 1; i <= 4; i++) {
      const r = check(s, '000000', plus(i * 1000));
      expect(r).toMatchObject({ ok: false, reason: 'wrong' });
      expect(r.state.lockedUntil).toBeUndefined();
      s = r.state;
    }
    const fifth = check(s, '000000', plus(5000));
    expect(fifth.state.lockedUntil).toBe(plus(5000 + OTP_RULES.lockMs).toISOString());
    expect(fifth.state.codeHash).toBeUndefined();
    expect(codeOf(() => check(fifth.state, '123456', plus(6000)))).toBe('code_locked');
    expect(codeOf(() => issueCode(fifth.state, '654321', plus(29 * MIN)))).toBe('code_locked');
    // After the lock: a new code, and the failure count starts again.
    const again = issueCode(fifth.state, '654321', plus(5000 + OTP_RULES.lockMs));
    expect(again.failures).toBe(0);
    expect(check(again, '654321', plus(5000 + OTP_RULES.lockMs + 1000)).ok).toBe(true);
  });

  it('sends at most 3 codes per 10 minutes; only the newest code works', () => {
    let s = fresh();
    s = issueCode(s, '111111', T0);
    s = issueCode(s, '222222', plus(1 * MIN));
    s = issueCode(s, '333333', plus(2 * MIN));
    expect(codeOf(() => issueCode(s, '444444', plus(9 * MIN)))).toBe('rate_limited');
    expect(check(s, '111111', plus(3 * MIN)).ok).toBe(false);
    const later = issueCode(s, '444444', plus(10 * MIN));
    expect(later.sends).toHaveLength(3);
    expect(check(later, '444444', plus(11 * MIN)).ok).toBe(true);
  });

  it('counts a client’s retry of the request that counted the last send once (its first run failed after counting)', () => {
    let s = issueCode(fresh(), '111111', T0, 'req-a');
    s = issueCode(s, '222222', plus(1 * MIN), 'req-b');
    s = issueCode(s, '333333', plus(2 * MIN), 'req-c');
    expect(s.sends).toHaveLength(3);
    // req-c again (a 503 after counting; its Idempotency-Key released): a fresh code, not a fourth send, not refused.
    const retried = issueCode(s, '444444', plus(3 * MIN), 'req-c');
    expect(retried.sends).toEqual(s.sends);
    expect(check(retried, '444444', plus(4 * MIN)).ok).toBe(true);
    expect(check(retried, '333333', plus(4 * MIN)).ok).toBe(false);
    // Any other request — a new key, no key, or an earlier key — is a new send, and refused at the limit.
    for (const request of ['req-d', undefined, 'req-b'])
      expect(codeOf(() => issueCode(retried, '555555', plus(4 * MIN), request))).toBe('rate_limited');
    // The key is remembered only for the last send: once the window has moved on, it counts again.
    expect(issueCode(retried, '666666', plus(12 * MIN), 'req-c').sends).toHaveLength(1);
  });

  it('bumps the version on every change, so each write is conditional', () => {
    const s = issueCode(fresh(), '123456', T0);
    expect(s.version).toBe(1);
    expect(check(s, '000000', T0).state.version).toBe(2);
  });
});

describe('access codes', () => {
  it('are stored as salted scrypt hashes and compared in constant time', () => {
    const h1 = hashAccessCode('HN-2026');
    const h2 = hashAccessCode('HN-2026');
    expect(h1).not.toBe(h2);
    expect(h1).not.toContain('HN-2026');
    expect(accessCodeMatches(h1, 'HN-2026')).toBe(true);
    expect(accessCodeMatches(h1, ' HN-2026 ')).toBe(true);
    expect(accessCodeMatches(h1, 'HN-2025')).toBe(false);
    expect(accessCodeMatches('garbage', 'HN-2026')).toBe(false);
  });
});
