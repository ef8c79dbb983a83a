import type { Clock } from '../envelope/ports.js';
import { AppError } from '../errors.js';
import { randomId } from '../util/bytes.js';
import { requirePlainText } from '../util/plain-text.js';
import { hashPassword } from './password.js';
import type { ConsoleRepository, ConsoleUser } from './ports.js';
import type { Role } from './roles.js';

export const MIN_PASSWORD_LENGTH = 10;

/** Creates a console user of a tenant (admin unless told otherwise). The password is kept only as a scrypt hash. */
export const createUser = async (
  deps: { console: ConsoleRepository; clock: Clock },
  input: { tenantId: string; email: string; name: string; password: string; role?: Role; createdBy?: string },
): Promise<Omit<ConsoleUser, 'passwordHash'>> => {
  // The name reaches email headers and the audit trail: no CR/LF or other control characters.
  requirePlainText(input.name, 'name');
  requirePlainText(input.email, 'email');
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const user: ConsoleUser = {
    id: randomId(9),
    tenantId: input.tenantId,
    email: input.email.trim().toLowerCase(),
    name: input.name.trim(),
    // The first user an operator makes is the tenant's admin (who must then enrol TOTP).
    role: input.role ?? 'admin',
    passwordHash: await hashPassword(input.password),
    createdAt: deps.clock.now().toISOString(),
    ...(input.createdBy ? { createdBy: input.createdBy } : {}),
  };
  await deps.console.createUser(user);
  const { passwordHash: _hash, ...shown } = user;
  return shown;
};
