import type { Clock } from '../envelope/ports.js';
import { AppError } from '../errors.js';
import { randomId, sha256Hex } from '../util/bytes.js';
import { dummyPasswordHash, verifyPassword } from './password.js';
import type { ConsoleRepository, ConsoleSession } from './ports.js';

export const SESSION_HOURS = 12;
/** Wrong passwords in a row before sign-in is locked, and for how long (slows password guessing to a crawl). */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

export const hashSessionId = (id: string): string => sha256Hex(`kyso-session:${id}`);

/**
 * Email + password to a new session. The cookie value (128 bits) is returned once and
 * stored only as a hash; unknown emails cost the same scrypt as wrong passwords.
 */
export const signIn = async (
  deps: { console: ConsoleRepository; clock: Clock },
  email: string,
  password: string,
): Promise<{ sessionId: string; session: ConsoleSession }> => {
  const user = await deps.console.findUserByEmail(email.trim().toLowerCase());
  const now = deps.clock.now();
  if (user?.lockedUntil && Date.parse(user.lockedUntil) > now.getTime()) {
    throw new AppError('rate_limited', `Too many wrong passwords; try again in ${LOCK_MINUTES} minutes.`);
  }
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (user && !ok) {
    const failures = await deps.console.noteLoginFailure(user.email);
    if (failures >= MAX_FAILED_LOGINS) {
      await deps.console.resetLoginFailures(user.email, new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString());
    }
  }
  if (!user || !ok) throw new AppError('unauthorized', 'The email or password is not correct.');
  if (user.failedLogins || user.lockedUntil) await deps.console.resetLoginFailures(user.email);
  const sessionId = randomId(32);
  const session: ConsoleSession = {
    userId: user.id,
    tenantId: user.tenantId,
    email: user.email,
    csrfToken: randomId(24),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString(),
  };
  await deps.console.putSession(hashSessionId(sessionId), session);
  return { sessionId, session };
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
