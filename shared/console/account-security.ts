import { AppError } from '../errors.js';
import { MIN_PASSWORD_LENGTH } from './create-user.js';
import { hashPassword, verifyPassword } from './password.js';
import type { ConsoleSession, ConsoleUser } from './ports.js';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import {
  type ConsoleAuthDeps,
  confirmEnrolment,
  type Enrolment,
  hashChallenge,
  liveChallenge,
  loginCounters,
  mustEnrol,
  roleOf,
  spendTotpCode,
  startEnrolment,
  takeAttempt,
} from './sign-in.js';

/**
 * A signed-in user's own account security (the console's "Bảo mật tài khoản" page): two-step
 * sign-in on or off, new recovery codes, a new password. Enrolment and code checks are the
 * sign-in's own (sign-in.ts); every check of a code or password here counts in the sign-in
 * counters and is given back on success, so a stolen session cannot guess its way to turning
 * the second factor off.
 */
const currentUser = async (deps: ConsoleAuthDeps, session: ConsoleSession): Promise<ConsoleUser> => {
  const user = await deps.console.findUserByEmail(session.email);
  if (!user || user.id !== session.userId) throw new AppError('unauthorized', 'Please sign in.');
  return user;
};

export interface TotpStatus {
  readonly enabled: boolean;
  readonly enrolledAt?: string;
  readonly recoveryCodesLeft: number;
  /** Admins (and users an admin reset) must keep it: the page offers no "turn off". */
  readonly required: boolean;
}

export const totpStatus = async (deps: ConsoleAuthDeps, session: ConsoleSession): Promise<TotpStatus> => {
  const user = await currentUser(deps, session);
  return {
    enabled: Boolean(user.totpSecret),
    ...(user.totpEnrolledAt ? { enrolledAt: user.totpEnrolledAt } : {}),
    recoveryCodesLeft: Object.keys(user.recoveryCodes ?? {}).length,
    required: mustEnrol(user),
  };
};

/** A check that counts like a sign-in attempt (429 `login_locked` when the counters are full). */
const counted = async <T>(deps: ConsoleAuthDeps, user: ConsoleUser, ip: string | undefined, check: () => Promise<T>): Promise<T> => {
  const counters = loginCounters(user.email, ip, deps.clock.now(), deps.loginLimits);
  await takeAttempt(deps, counters);
  const result = await check();
  await deps.console.releaseLoginAttempt(counters);
  return result;
};

/** Step 1 of turning it on: a new secret (QR code and text), kept sealed in a challenge for 5 minutes. */
export const beginTotp = async (deps: ConsoleAuthDeps, session: ConsoleSession): Promise<Enrolment> => {
  const user = await currentUser(deps, session);
  if (user.totpSecret) throw new AppError('totp_already_enabled', 'Two-step sign-in is already on.');
  return startEnrolment(deps, user, 'self-enrol');
};

/** Step 2: a code from the app turns it on; the 10 recovery codes are returned, once. */
export const confirmTotp = async (
  deps: ConsoleAuthDeps,
  session: ConsoleSession,
  input: { challenge: string; code: string; ip?: string },
): Promise<string[]> => {
  const user = await currentUser(deps, session);
  if (user.totpSecret) throw new AppError('totp_already_enabled', 'Two-step sign-in is already on.');
  const challenge = await liveChallenge(deps, input.challenge);
  if (challenge.kind !== 'self-enrol' || challenge.email !== user.email || !challenge.pendingSecret) {
    throw new AppError('login_challenge_invalid', 'The enrolment expired; start again.');
  }
  const pending = challenge.pendingSecret;
  const codes = await counted(deps, user, input.ip, () => confirmEnrolment(deps, user, pending, input.code));
  await deps.console.deleteChallenge(hashChallenge(input.challenge));
  return codes;
};

/** New recovery codes (the old ones stop working) against a current code; returned once. */
export const regenerateRecoveryCodes = async (
  deps: ConsoleAuthDeps,
  session: ConsoleSession,
  input: { code: string; ip?: string },
): Promise<string[]> => {
  const user = await currentUser(deps, session);
  if (!user.totpSecret) throw new AppError('totp_not_enabled', 'Two-step sign-in is off.');
  await counted(deps, user, input.ip, () => spendTotpCode(deps, user, input.code));
  const codes = newRecoveryCodes();
  const at = deps.clock.now().toISOString();
  const recoveryHashes = codes.map((c) => hashRecoveryCode(user.id, c));
  await deps.console.updateUser(user, { action: 'recovery-codes', recoveryHashes, by: user.id, at });
  return codes;
};

/** Turns it off against a current code; admins cannot (`totp_required`). */
export const turnOffTotp = async (deps: ConsoleAuthDeps, session: ConsoleSession, input: { code: string; ip?: string }): Promise<void> => {
  const user = await currentUser(deps, session);
  if (mustEnrol(user)) {
    throw new AppError(
      'totp_required',
      roleOf(user) === 'admin' ? 'Admins must keep two-step sign-in.' : 'Your admin requires two-step sign-in.',
    );
  }
  if (!user.totpSecret) throw new AppError('totp_not_enabled', 'Two-step sign-in is off.');
  await counted(deps, user, input.ip, () => spendTotpCode(deps, user, input.code));
  await deps.console.updateUser(user, {
    action: 'totp-off',
    removeTotp: { required: false },
    by: user.id,
    at: deps.clock.now().toISOString(),
  });
};

/** A new password against the current one (an admin-made user's first task: the admin saw the initial one). */
export const changePassword = async (
  deps: ConsoleAuthDeps,
  session: ConsoleSession,
  input: { currentPassword: string; newPassword: string; ip?: string },
): Promise<void> => {
  const user = await currentUser(deps, session);
  if (input.newPassword.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  await counted(deps, user, input.ip, async () => {
    if (!(await verifyPassword(input.currentPassword, user.passwordHash)))
      throw new AppError('password_invalid', 'The current password is not correct.');
  });
  const passwordHash = await hashPassword(input.newPassword);
  await deps.console.updateUser(user, { action: 'password', passwordHash, by: user.id, at: deps.clock.now().toISOString() });
};
