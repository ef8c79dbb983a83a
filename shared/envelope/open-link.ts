import { AppError } from '../errors.js';
import type { EnvelopeDeps } from './deps.js';
import { expireIfDue } from './end-envelope.js';
import { hashToken } from './notify-recipients.js';
import { assertEnvelopeLive } from './routing.js';
import type { Envelope, Recipient, SigningGrant } from './types.js';

export interface OpenedLink {
  readonly grant: SigningGrant;
  readonly tokenHash: string;
  readonly envelope: Envelope;
  readonly recipient: Recipient;
}

/**
 * Everything a link token may do starts here. A token is alive only if its hash is stored,
 * it has not expired, it is still one of its recipient's live links (resend and email
 * change kill the old ones), and the envelope is not voided, declined or expired (expiry is
 * applied here, lazily, as well as by the scheduler). It grants one recipient, nothing more.
 */
export const openLink = async (deps: EnvelopeDeps, token: string): Promise<OpenedLink> => {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new AppError('token_invalid', 'This signing link is not valid.');
  const tokenHash = hashToken(token);
  const grant = await deps.tokens.get(tokenHash);
  if (!grant) throw new AppError('token_invalid', 'This signing link is not valid.');
  const stored = await deps.envelopes.get(grant.tenantId, grant.envelopeId);
  if (!stored) throw new AppError('token_invalid', 'This signing link is not valid.');
  const envelope = await expireIfDue(deps, stored);
  const recipient = envelope.recipients.find((r) => r.id === grant.recipientId);
  if (!recipient || (recipient.linkHashes && !recipient.linkHashes.includes(tokenHash))) {
    throw new AppError('token_invalid', 'This signing link is not valid.');
  }
  assertEnvelopeLive(envelope);
  if (Date.parse(grant.expiresAt) <= deps.clock.now().getTime()) throw new AppError('token_expired', 'This signing link has expired.');
  return { grant, tokenHash, envelope, recipient };
};
