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
export const hashChallenge = (id: string): string => sha256Hex(`kyso-login-challenge:${id}`);

export const roleOf = (user: Pick<ConsoleUser, 'role'>): Role => user.role ?? 'admin';
/** Admins must have a second factor; so must a user whose second factor an admin reset. */
export const mustEnrol = (user: Pick<ConsoleUser, 'role' | 'totpRequired'>): boolean =>
  roleOf(user) === 'admin' || Boolean(user.totpRequired);
/** KMS encryption context: the secret opens only for the user it was sealed for (ids, not emails: the context is logged). */
export const totpContext = (userId: string) => ({ purpose: 'console-totp', user: userId });

const assertEnabled = (user: Pick<ConsoleUser, 'disabled'>) => {
  if (user.disabled) throw new AppError('account_disabled', 'This account is disabled; ask an admin of your organisation.');
};

/** `loginLimits`: LOGIN_LIMITS unless the deployment changed the per-address one (KYSO_LOGIN_LIMIT_IP). */
export type ConsoleAuthDeps = { console: ConsoleRepository; clock: Clock; secretBox: SecretBox; loginLimits?: LoginLimits };

export const loginCounters = (email: string, ip: string | undefined, now: Date, limits: LoginLimits = LOGIN_LIMITS): LoginCounter[] => {
  const at = Math.floor(now.getTime() / 1000);
  const counter = (key: string, rule: { limit: number; windowSeconds: number }): LoginCounter => ({ key, ...rule, at });
  const who = sha256Hex(`kyso-login:${email}`);
  const from = ip ?? 'unknown';
  return [
    counter(`pair:${sha256Hex(`kyso-login:${email}|${from}`)}`, limits.pair),
    counter(`user:${who}`, limits.user),
    counter(`ip:${from}`, limits.ip),
  ];
};

export const takeAttempt = async (deps: ConsoleAuthDeps, counters: LoginCounter[]) => {
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
 * the same. A user with TOTP gets a challenge for step 2; an admin (or a user whose second
 * factor an admin reset) without TOTP gets a challenge carrying a new secret to enrol; others
 * get their session at once. A disabled user is refused (`account_disabled`).
 */
export const signIn = async (deps: ConsoleAuthDeps, input: { email: string; password: string; ip?: string }): Promise<SignInResult> => {
  const email = input.email.trim().toLowerCase();
  const counters = loginCounters(email, input.ip, deps.clock.now(), deps.loginLimits);
  await takeAttempt(deps, counters);
  const user = await deps.console.findUserByEmail(email);
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok) throw new AppError('unauthorized', 'The email or password is not correct.');
  await deps.console.releaseLoginAttempt(counters);
  // Only after the right password: a guesser learns nothing about disabled accounts.
  assertEnabled(user);
  if (!user.totpSecret && !mustEnrol(user)) return { next: 'session', ...(await newSession(deps, user)) };

  if (user.totpSecret) {
    const challenge = randomId(32);
    const expiresAt = new Date(deps.clock.now().getTime() + CHALLENGE_MINUTES * 60_000).toISOString();
    await deps.console.putChallenge(hashChallenge(challenge), { email, kind: 'totp', expiresAt });
    return { next: 'totp', challenge };
  }
  return { next: 'enrol', ...(await startEnrolment(deps, user, 'enrol')) };
};

export type Enrolment = { readonly challenge: string; readonly secret: string; readonly otpauthUri: string; readonly qrSvg: string };

/**
 * A new secret for the user to enrol, sealed and kept in a challenge (5 minutes, 5 tries) until a
 * code from it proves the app holds it (`confirmEnrolment`): at sign-in (`enrol`) or from the console (`self-enrol`).
 */
export const startEnrolment = async (
  deps: ConsoleAuthDeps,
  user: Pick<ConsoleUser, 'id' | 'email'>,
  kind: Extract<LoginChallenge['kind'], 'enrol' | 'self-enrol'>,
): Promise<Enrolment> => {
  const challenge = randomId(32);
  const expiresAt = new Date(deps.clock.now().getTime() + CHALLENGE_MINUTES * 60_000).toISOString();
  const secret = newTotpSecret();
  const pendingSecret = await deps.secretBox.seal(secret, totpContext(user.id));
  await deps.console.putChallenge(hashChallenge(challenge), { email: user.email, kind, pendingSecret, expiresAt });
  const uri = otpauthUri(secret, user.email);
  return { challenge, secret: base32Encode(secret), otpauthUri: uri, qrSvg: qrSvg(uri) };
};

export const liveChallenge = async (deps: ConsoleAuthDeps, challenge: string): Promise<LoginChallenge> => {
  const found = /^[A-Za-z0-9_-]{20,100}$/.test(challenge)
    ? await deps.console.tryChallenge(hashChallenge(challenge), CHALLENGE_TRIES)
    : undefined;
  if (!found || Date.parse(found.expiresAt) <= deps.clock.now().getTime()) {
    throw new AppError('login_challenge_invalid', 'The sign-in step expired or was used; sign in again with your password.');
  }
  return found;
};

export const wrongCode = () => new AppError('totp_invalid', 'The code is not correct, or was already used.');

/**
 * Enrolment's last step, at sign-in and from the console alike: a code from the pending (sealed)
 * secret proves the app holds it; the secret is stored and 10 recovery codes returned, once.
 */
export const confirmEnrolment = async (
  deps: ConsoleAuthDeps,
  user: ConsoleUser,
  pendingSecret: string,
  code: string,
): Promise<string[]> => {
  const now = deps.clock.now();
  const step = matchTotp(await deps.secretBox.open(pendingSecret, totpContext(user.id)), code, now);
  if (step === undefined) throw wrongCode();
  const codes = newRecoveryCodes();
  await deps.console.enableTotp(
    user.email,
    pendingSecret,
    codes.map((c) => hashRecoveryCode(user.id, c)),
    step,
    now.toISOString(),
  );
  return codes;
};

/** A current 6-digit code of the user's stored secret, its step spent by a conditional write (never twice); throws `totp_invalid`. */
export const spendTotpCode = async (deps: ConsoleAuthDeps, user: ConsoleUser, code: string): Promise<void> => {
  if (!user.totpSecret) throw wrongCode();
  const step = matchTotp(await deps.secretBox.open(user.totpSecret, totpContext(user.id)), code, deps.clock.now(), user.totpLastStep);
  if (step === undefined || !(await deps.console.useTotpStep(user.email, step))) throw wrongCode();
};

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
  // A console enrolment's challenge is not a sign-in step.
  if (!user || challenge.kind === 'self-enrol') throw new AppError('login_challenge_invalid', 'Sign in again with your password.');
  assertEnabled(user);

  if (challenge.kind === 'enrol') {
    if (!challenge.pendingSecret || !input.code) throw wrongCode();
    const codes = await confirmEnrolment(deps, user, challenge.pendingSecret, input.code);
    await deps.console.deleteChallenge(hashChallenge(input.challenge));
    await deps.console.releaseLoginAttempt(counters);
    return { next: 'session', ...(await newSession(deps, { ...user, totpSecret: challenge.pendingSecret })), recoveryCodes: codes };
  }

  if (!user.totpSecret) throw new AppError('login_challenge_invalid', 'Sign in again with your password.');
  if (input.code) {
    await spendTotpCode(deps, user, input.code);
  } else if (input.recoveryCode) {
    if (!(await deps.console.useRecoveryCode(user.email, hashRecoveryCode(user.id, input.recoveryCode)))) throw wrongCode();
  } else {
    throw wrongCode();
  }
  await deps.console.deleteChallenge(hashChallenge(input.challenge));
  await deps.console.releaseLoginAttempt(counters);
  return { next: 'session', ...(await newSession(deps, user)) };
};

/**
 * The live session behind a cookie value, or undefined when unknown or expired (TTL deletion lags),
 * when its user is gone, disabled, or was disabled after it began. The role is the user's current
 * one, so an admin's change of role applies at the user's next request.
 */
export const resolveSession = async (
  deps: { console: ConsoleRepository; clock: Clock },
  sessionId: string | undefined,
): Promise<ConsoleSession | undefined> => {
  if (!sessionId || !/^[A-Za-z0-9_-]{20,100}$/.test(sessionId)) return undefined;
  const session = await deps.console.getSession(hashSessionId(sessionId));
  if (!session || Date.parse(session.expiresAt) <= deps.clock.now().getTime()) return undefined;
  const user = await deps.console.findUserByEmail(session.email);
  if (!user || user.id !== session.userId || user.tenantId !== session.tenantId || user.disabled) return undefined;
  if (user.sessionsNotBefore && session.createdAt < user.sessionsNotBefore) return undefined;
  return { ...session, role: roleOf(user) };
};
