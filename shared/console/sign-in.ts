import type { Clock } from '../envelope/ports.js';
import { AppError } from '../errors.js';
import { randomId, sha256Hex } from '../util/bytes.js';
import { dummyPasswordHash, verifyPassword } from './password.js';
import type { ConsoleRepository, ConsoleSession, ConsoleUser, LoginChallenge, LoginCounter, SecretBox } from './ports.js';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import type { Role } from './roles.js';
import { base32Encode, matchTotp, newTotpSecret, otpauthUri, qrSvg } from './totp.js';

export const SESSION_HOURS = 12;
export const CHALLENGE_MINUTES = 5;
export const CHALLENGE_TRIES = 5;

/**
 * Failed sign-ins are counted in three fixed windows (ARCHITECTURE.md, "Console accounts"):
 * - this account from this address: 5 per 15 min — stops one guesser cold, and is the only
 *   lock a stranger can put on a user from one address (the user elsewhere is not affected);
 * - this account from anywhere: 20 per 5 min — caps a distributed guesser at 20 tries per
 *   5 minutes, and a stranger with many addresses can lock the user out for 5 minutes at most;
 * - this address, any account: 50 per 15 min — stops password spraying and bounds the
 *   per-user locks one address can cause.
 * An attempt takes its place in all three before the password is looked at, so parallel
 * requests cannot slip past a limit; a successful attempt gives its place back.
 */
export interface LoginLimits {
  readonly pair: LoginRule;
  readonly user: LoginRule;
  readonly ip: LoginRule;
}
type LoginRule = { readonly limit: number; readonly windowSeconds: number };

export const LOGIN_LIMITS: LoginLimits = {
  pair: { limit: 5, windowSeconds: 15 * 60 },
  user: { limit: 20, windowSeconds: 5 * 60 },
  ip: { limit: 50, windowSeconds: 15 * 60 },
};

export const hashSessionId = (id: string): string => sha256Hex(`kyso-session:${id}`);
const hashChallenge = (id: string): string => sha256Hex(`kyso-login-challenge:${id}`);

export const roleOf = (user: Pick<ConsoleUser, 'role'>): Role => user.role ?? 'admin';
/** KMS encryption context: the secret opens only for the user it was sealed for (ids, not emails: the context is logged). */
const totpContext = (userId: string) => ({ purpose: 'console-totp', user: userId });

/** `loginLimits`: LOGIN_LIMITS unless the deployment changed the per-address one (KYSO_LOGIN_LIMIT_IP). */
export type ConsoleAuthDeps = { console: ConsoleRepository; clock: Clock; secretBox: SecretBox; loginLimits?: LoginLimits };

export const loginCounters = (email: string, ip: string | undefined, now: Date, limits: LoginLimits = LOGIN_LIMITS): LoginCounter[] => {
  const at = Math.floor(now.getTime() / 1000);
  const counter = (key: string, rule: { limit: number; windowSeconds: number }): LoginCounter => ({
    key,
    ...rule,
    windowStart: at - (at % rule.windowSeconds),
  });
  const who = sha256Hex(`kyso-login:${email}`);
  const from = ip ?? 'unknown';
  return [
    counter(`pair:${sha256Hex(`kyso-login:${email}|${from}`)}`, limits.pair),
    counter(`user:${who}`, limits.user),
    counter(`ip:${from}`, limits.ip),
  ];
};

const takeAttempt = async (deps: ConsoleAuthDeps, counters: LoginCounter[]) => {
  if (!(await deps.console.reserveLoginAttempt(counters))) {
    throw new AppError('login_locked', 'Too many failed sign-ins; wait a few minutes and try again.', { retryAfterSeconds: 300 });
  }
};

const newSession = async (deps: ConsoleAuthDeps, user: ConsoleUser) => {
  const now = deps.clock.now();
  const sessionId = randomId(32);
  const session: ConsoleSession = {
    userId: user.id,
    tenantId: user.tenantId,
    email: user.email,
    role: roleOf(user),
    csrfToken: randomId(24),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString(),
  };
  await deps.console.putSession(hashSessionId(sessionId), session);
  return { sessionId, session };
};

export type SignInResult =
  | { readonly next: 'session'; readonly sessionId: string; readonly session: ConsoleSession; readonly recoveryCodes?: string[] }
  | { readonly next: 'totp'; readonly challenge: string }
  | { readonly next: 'enrol'; readonly challenge: string; readonly secret: string; readonly otpauthUri: string; readonly qrSvg: string };

/**
 * Step 1, email + password. Unknown emails cost the same scrypt as wrong passwords and count
 * the same. A user with TOTP gets a challenge for step 2; an admin without TOTP gets a
 * challenge carrying a new secret to enrol (admins must have a second factor); others get
 * their session at once.
 */
export const signIn = async (deps: ConsoleAuthDeps, input: { email: string; password: string; ip?: string }): Promise<SignInResult> => {
  const email = input.email.trim().toLowerCase();
  const counters = loginCounters(email, input.ip, deps.clock.now(), deps.loginLimits);
  await takeAttempt(deps, counters);
  const user = await deps.console.findUserByEmail(email);
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok) throw new AppError('unauthorized', 'The email or password is not correct.');
  await deps.console.releaseLoginAttempt(counters);
  if (!user.totpSecret && roleOf(user) !== 'admin') return { next: 'session', ...(await newSession(deps, user)) };

  const challenge = randomId(32);
  const expiresAt = new Date(deps.clock.now().getTime() + CHALLENGE_MINUTES * 60_000).toISOString();
  if (user.totpSecret) {
    await deps.console.putChallenge(hashChallenge(challenge), { email, kind: 'totp', expiresAt });
    return { next: 'totp', challenge };
  }
  const secret = newTotpSecret();
  const pendingSecret = await deps.secretBox.seal(secret, totpContext(user.id));
  await deps.console.putChallenge(hashChallenge(challenge), { email, kind: 'enrol', pendingSecret, expiresAt });
  const uri = otpauthUri(secret, email);
  return { next: 'enrol', challenge, secret: base32Encode(secret), otpauthUri: uri, qrSvg: qrSvg(uri) };
};

const liveChallenge = async (deps: ConsoleAuthDeps, challenge: string): Promise<LoginChallenge> => {
  const found = /^[A-Za-z0-9_-]{20,100}$/.test(challenge)
    ? await deps.console.tryChallenge(hashChallenge(challenge), CHALLENGE_TRIES)
    : undefined;
  if (!found || Date.parse(found.expiresAt) <= deps.clock.now().getTime()) {
    throw new AppError('login_challenge_invalid', 'The sign-in step expired or was used; sign in again with your password.');
  }
  return found;
};

const wrongCode = () => new AppError('totp_invalid', 'The code is not correct, or was already used.');

/**
 * Step 2: a 6-digit TOTP code (or, for a user with TOTP, one of the recovery codes). Each try
 * counts like a password attempt (the same three counters) and at most 5 per challenge; a
 * code's step is recorded with a conditional write, so the same code never works twice.
 * Enrolment (admins): the code proves the app holds the new secret; the secret is stored
 * (sealed) and 10 recovery codes are returned, once.
 */
export const completeSignIn = async (
  deps: ConsoleAuthDeps,
  input: { challenge: string; code?: string; recoveryCode?: string; ip?: string },
): Promise<Extract<SignInResult, { next: 'session' }>> => {
  const challenge = await liveChallenge(deps, input.challenge);
  const counters = loginCounters(challenge.email, input.ip, deps.clock.now(), deps.loginLimits);
  await takeAttempt(deps, counters);
  const user = await deps.console.findUserByEmail(challenge.email);
  if (!user) throw new AppError('login_challenge_invalid', 'Sign in again with your password.');
  const now = deps.clock.now();
  const context = totpContext(user.id);

  if (challenge.kind === 'enrol') {
    if (!challenge.pendingSecret || !input.code) throw wrongCode();
    const step = matchTotp(await deps.secretBox.open(challenge.pendingSecret, context), input.code, now);
    if (step === undefined) throw wrongCode();
    const codes = newRecoveryCodes();
    await deps.console.enableTotp(
      user.email,
      challenge.pendingSecret,
      codes.map((c) => hashRecoveryCode(user.id, c)),
      step,
      now.toISOString(),
    );
    await deps.console.deleteChallenge(hashChallenge(input.challenge));
    await deps.console.releaseLoginAttempt(counters);
    return { next: 'session', ...(await newSession(deps, { ...user, totpSecret: challenge.pendingSecret })), recoveryCodes: codes };
  }

  if (!user.totpSecret) throw new AppError('login_challenge_invalid', 'Sign in again with your password.');
  if (input.code) {
    const step = matchTotp(await deps.secretBox.open(user.totpSecret, context), input.code, now, user.totpLastStep);
    if (step === undefined || !(await deps.console.useTotpStep(user.email, step))) throw wrongCode();
  } else if (input.recoveryCode) {
    if (!(await deps.console.useRecoveryCode(user.email, hashRecoveryCode(user.id, input.recoveryCode)))) throw wrongCode();
  } else {
    throw wrongCode();
  }
  await deps.console.deleteChallenge(hashChallenge(input.challenge));
  await deps.console.releaseLoginAttempt(counters);
  return { next: 'session', ...(await newSession(deps, user)) };
};

/** The live session behind a cookie value, or undefined when unknown or expired (TTL deletion lags). */
export const resolveSession = async (
  deps: { console: ConsoleRepository; clock: Clock },
  sessionId: string | undefined,
): Promise<ConsoleSession | undefined> => {
  if (!sessionId || !/^[A-Za-z0-9_-]{20,100}$/.test(sessionId)) return undefined;
  const session = await deps.console.getSession(hashSessionId(sessionId));
  if (!session || Date.parse(session.expiresAt) <= deps.clock.now().getTime()) return undefined;
  return session;
};
