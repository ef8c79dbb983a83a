import { AppError } from '../errors.js';
import { sha256Hex } from '../util/bytes.js';
import type { SignerAuthState } from './ports.js';

/** The rules of signer verification, pure (the clock is an argument) so they are tested with fixed times. */
export const OTP_RULES = {
  digits: 6,
  codeTtlMs: 10 * 60_000,
  maxFailures: 5,
  lockMs: 30 * 60_000,
  sendWindowMs: 10 * 60_000,
  maxSendsPerWindow: 3,
  /** How long a successful verification lets the same link sign and download. */
  verifiedTtlMs: 30 * 60_000,
} as const;

export const hashOtp = (recipientId: string, code: string): string => sha256Hex(`kyso-otp:${recipientId}:${code}`);

export const emptyAuthState = (tenantId: string, envelopeId: string, recipientId: string): SignerAuthState => ({
  tenantId,
  envelopeId,
  recipientId,
  version: 0,
  failures: 0,
  sends: [],
});

const isLocked = (s: SignerAuthState, now: Date) => !!s.lockedUntil && Date.parse(s.lockedUntil) > now.getTime();

const assertNotLocked = (s: SignerAuthState, now: Date) => {
  if (isLocked(s, now)) {
    throw new AppError('code_locked', 'Too many wrong codes: verification is locked for a while. Try again later.', {
      lockedUntil: s.lockedUntil,
    });
  }
};

/**
 * A new one-time code: refused while locked or after too many sends in the window; replaces any
 * earlier code. `request` (the hashed Idempotency-Key) names the request: the retry of the one that
 * counted the last send — its first run failed after counting (5xx), so the key was released and it
 * runs again — sends a fresh code without counting or refusing it a second time.
 */
export const issueCode = (s: SignerAuthState, code: string, now: Date, request?: string): SignerAuthState => {
  assertNotLocked(s, now);
  const recent = s.sends.filter((t) => now.getTime() - Date.parse(t) < OTP_RULES.sendWindowMs);
  const retried = !!request && request === s.lastSendRequest && recent.length > 0;
  if (!retried && recent.length >= OTP_RULES.maxSendsPerWindow) {
    const retryAt = new Date(Date.parse(recent[0] as string) + OTP_RULES.sendWindowMs).toISOString();
    throw new AppError('rate_limited', `At most ${OTP_RULES.maxSendsPerWindow} codes per 10 minutes; try again later.`, { retryAt });
  }
  const { lockedUntil: _l, lastSendRequest: _r, ...rest } = s;
  return {
    ...rest,
    version: s.version + 1,
    codeHash: hashOtp(s.recipientId, code),
    codeExpiresAt: new Date(now.getTime() + OTP_RULES.codeTtlMs).toISOString(),
    failures: s.lockedUntil ? 0 : s.failures,
    sends: retried ? recent : [...recent, now.toISOString()],
    ...(request ? { lastSendRequest: request } : {}),
  };
};

/**
 * Checks a code. `matches` says whether it is right (a one-time code against the stored hash,
 * or an access code against its hash on the recipient). Returns the next state and whether
 * it verified; the caller stores the state before refusing, so failures count.
 */
export const checkCode = (
  s: SignerAuthState,
  input: { now: Date; tokenHash: string; method: 'otp' | 'access-code'; matches: (state: SignerAuthState) => boolean },
): { state: SignerAuthState; ok: boolean; reason?: 'expired' | 'wrong' | 'none' } => {
  assertNotLocked(s, input.now);
  const { lockedUntil: _l, ...base } = s;
  if (input.method === 'otp') {
    if (!s.codeHash) return { state: s, ok: false, reason: 'none' };
    if (Date.parse(s.codeExpiresAt ?? '') <= input.now.getTime()) return { state: s, ok: false, reason: 'expired' };
  }
  if (input.matches(s)) {
    const { codeHash: _c, codeExpiresAt: _e, ...rest } = base;
    return {
      state: {
        ...rest,
        version: s.version + 1,
        failures: 0,
        verifiedTokenHash: input.tokenHash,
        verifiedUntil: new Date(input.now.getTime() + OTP_RULES.verifiedTtlMs).toISOString(),
        verifiedMethod: input.method,
      },
      ok: true,
    };
  }
  const failures = s.failures + 1;
  if (failures >= OTP_RULES.maxFailures) {
    // Locked: the current code dies too, so the lock cannot be waited out with it.
    const { codeHash: _c, codeExpiresAt: _e, ...rest } = base;
    return {
      state: { ...rest, version: s.version + 1, failures, lockedUntil: new Date(input.now.getTime() + OTP_RULES.lockMs).toISOString() },
      ok: false,
      reason: 'wrong',
    };
  }
  return { state: { ...base, version: s.version + 1, failures }, ok: false, reason: 'wrong' };
};

/** Codes to one phone number, whatever the envelope: at most 5 per hour (a resend or a new envelope does not reset it). */
export const NUMBER_RULES = { windowMs: 60 * 60_000, maxSends: 5 } as const;

export const recordNumberSend = (s: SignerAuthState, now: Date): SignerAuthState => {
  const recent = s.sends.filter((t) => now.getTime() - Date.parse(t) < NUMBER_RULES.windowMs);
  if (recent.length >= NUMBER_RULES.maxSends) {
    const retryAt = new Date(Date.parse(recent[0] as string) + NUMBER_RULES.windowMs).toISOString();
    throw new AppError('rate_limited', `At most ${NUMBER_RULES.maxSends} codes per hour to one phone number; try again later.`, {
      retryAt,
    });
  }
  return { ...s, version: s.version + 1, sends: [...recent, now.toISOString()] };
};

/** Verified means: this very link token was verified, recently. */
export const isVerified = (s: SignerAuthState | undefined, tokenHash: string, now: Date): boolean =>
  !!s?.verifiedTokenHash && s.verifiedTokenHash === tokenHash && Date.parse(s.verifiedUntil ?? '') > now.getTime();
