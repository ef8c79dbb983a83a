import { hashToken } from '../../shared/envelope/notify-recipients.js';
import type { Clock, TokenRepository } from '../../shared/envelope/ports.js';
import type { SigningGrant } from '../../shared/envelope/types.js';
import { AppError } from '../../shared/errors.js';

/** A link token is valid if its hash is stored and it has not expired. It grants one recipient, nothing more. */
export const resolveGrant = async (tokens: TokenRepository, clock: Clock, token: string): Promise<SigningGrant> => {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new AppError('token_invalid', 'This signing link is not valid.');
  const grant = await tokens.get(hashToken(token));
  if (!grant) throw new AppError('token_invalid', 'This signing link is not valid.');
  if (Date.parse(grant.expiresAt) <= clock.now().getTime()) throw new AppError('token_expired', 'This signing link has expired.');
  return grant;
};
