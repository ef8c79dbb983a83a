import { hashToken } from '../../shared/envelope/notify-recipients.js';
import type { Clock, EnvelopeRepository, TokenRepository } from '../../shared/envelope/ports.js';
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

/**
 * A signer link's reads, started before the route runs (beside the per-IP count, rate-limit.ts):
 * the grant, then its envelope. The token repository remembers the grant for the rest of the
 * request, and the envelope repository lets openLink's own read join the one under way
 * (functions/aws/shared-reads.ts), so the route's first two reads are no longer two round trips
 * after the count. Reads only; failures are the route's to meet (it reads again).
 */
export const prefetchLink = (deps: { tokens: TokenRepository; envelopes: EnvelopeRepository }, path: string): void => {
  const token = /^\/v1\/sign\/([A-Za-z0-9_-]{20,100})(?:\/|$)/.exec(path)?.[1];
  if (!token) return;
  deps.tokens
    .get(hashToken(token))
    .then((grant) => grant && deps.envelopes.get(grant.tenantId, grant.envelopeId))
    .catch(() => undefined);
};
