import { AppError } from '../errors.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { audit } from './effects.js';
import { newLinkToken } from './notify-recipients.js';
import { openLink } from './open-link.js';
import { assertEnvelopeLive, hasActed } from './routing.js';
import { commitTransition } from './transition.js';
import type { EmbedTarget, Envelope, SigningGrant } from './types.js';
import { getEnvelopeOrThrow } from './update-envelope.js';

/** The URL handed to the tenant lives 5 minutes and opens once. */
export const EMBED_LINK_TTL_MS = 5 * 60_000;
/** What one open becomes: the signer's session in the frame (never beyond the envelope's expiry). */
export const EMBED_SESSION_TTL_MS = 60 * 60_000;

const isLoopback = (hostname: string) => hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);

const parseWebUrl = (raw: string): URL | undefined => {
  if (raw.length > 2000 || /[\s\\]/.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  if (url.protocol === 'https:') return url;
  return url.protocol === 'http:' && isLoopback(url.hostname) ? url : undefined;
};

/**
 * The origin that may frame the page and hear its events, and where a redirect returns: https
 * (plain http only on loopback, for development), no credentials, and the return URL on that
 * same origin (Kyso is nobody's open redirect). Each refusal has its own stable code.
 */
export const requireEmbedTarget = (input: { allowedOrigin: string; returnUrl: string }): EmbedTarget => {
  const origin = parseWebUrl(input.allowedOrigin);
  if (!origin || origin.origin !== input.allowedOrigin.replace(/\/$/, '')) {
    throw new AppError(
      'invalid_allowed_origin',
      'allowedOrigin must be an origin only (scheme, host, optional port): https, or http on a loopback address, without credentials.',
    );
  }
  const back = parseWebUrl(input.returnUrl);
  if (!back) throw new AppError('invalid_return_url', 'returnUrl must be an https URL (http only on loopback) without credentials.');
  if (back.origin !== origin.origin) throw new AppError('invalid_return_url', 'returnUrl must be on allowedOrigin.');
  return { allowedOrigin: origin.origin, returnUrl: back.href };
};

const untilAtMost = (envelope: Envelope, ms: number, now: Date) =>
  new Date(Math.min(now.getTime() + ms, envelope.expiresAt ? Date.parse(envelope.expiresAt) : Number.POSITIVE_INFINITY)).toISOString();

/**
 * A single-use, 5-minute URL for one recipient of one of the tenant's envelopes, to show in an
 * iframe on `allowedOrigin` or to redirect to. Only for a signer or approver whose turn it is
 * and who has not acted. Like every link the token is random (256 bits), stored only as its
 * hash, and live only while that hash is on the recipient (added here in a conditional commit).
 */
export const createEmbeddedLink = async (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
  recipientId: string,
  target: { allowedOrigin: string; returnUrl: string },
  meta: RequestMeta,
): Promise<{ url: string; expiresAt: string }> => {
  const embed = requireEmbedTarget(target);
  const envelope = await getEnvelopeOrThrow(deps, tenantId, envelopeId);
  const { token, hash } = newLinkToken();
  const expiresAt = untilAtMost(envelope, EMBED_LINK_TTL_MS, deps.clock.now());
  const grant: SigningGrant = { tenantId, envelopeId, recipientId, expiresAt, embed: { ...embed, stage: 'link' } };
  let stored = false;
  try {
    await commitTransition(
      deps,
      tenantId,
      envelopeId,
      async (current) => {
        assertEnvelopeLive(current);
        if (current.status !== 'sent') throw new AppError('invalid_state', `The envelope is ${current.status}; it has no signing links.`);
        const r = current.recipients.find((x) => x.id === recipientId);
        if (!r) throw new AppError('unknown_recipient', 'No such recipient in this envelope.');
        if (r.role !== 'signer' && r.role !== 'approver')
          throw new AppError('wrong_role', `A ${r.role} does not sign or approve in a page.`);
        if (hasActed(r) || r.status === 'declined') throw new AppError('invalid_state', 'This recipient has already acted.');
        if (r.status === 'pending') throw new AppError('not_your_turn', 'It is not this recipient’s turn yet.');
        if (!stored) {
          await deps.tokens.put(hash, grant);
          stored = true;
        }
        return {
          next: {
            ...current,
            recipients: current.recipients.map((x) => (x.id === recipientId ? { ...x, linkHashes: [...(x.linkHashes ?? []), hash] } : x)),
          },
          effects: [
            audit({
              at: deps.clock.now().toISOString(),
              action: 'recipient.embedded_link_created',
              actor: { type: 'tenant', id: tenantId },
              ...meta,
              data: { recipientId, allowedOrigin: embed.allowedOrigin },
            }),
          ],
        };
      },
      { current: envelope },
    );
  } catch (e) {
    if (stored) await deps.tokens.delete(hash);
    throw e;
  }
  return { url: `${deps.publicUrl}/embed/${token}`, expiresAt };
};

/**
 * Opens an embedded link: the first open swaps the link's hash on the recipient for a new
 * session token's (one conditional commit, so two opens cannot both win: the loser gets
 * `token_used`), and the link token is deleted. Returns the session token for the signer page.
 */
export const openEmbeddedLink = async (
  deps: EnvelopeDeps,
  token: string,
  meta: RequestMeta,
): Promise<{ token: string; grant: SigningGrant }> => {
  const link = await openLink(deps, token);
  const embed = link.grant.embed;
  if (embed?.stage !== 'link') throw new AppError('token_invalid', 'This signing link is not valid.');
  const session = newLinkToken();
  const grant: SigningGrant = {
    ...link.grant,
    expiresAt: untilAtMost(link.envelope, EMBED_SESSION_TTL_MS, deps.clock.now()),
    embed: { ...embed, stage: 'session' },
  };
  await deps.tokens.put(session.hash, grant);
  try {
    await commitTransition(
      deps,
      link.grant.tenantId,
      link.grant.envelopeId,
      (current) => {
        const r = current.recipients.find((x) => x.id === link.grant.recipientId);
        if (!r?.linkHashes?.includes(link.tokenHash)) throw new AppError('token_used', 'This embedded signing link was already opened.');
        const linkHashes = [...r.linkHashes.filter((h) => h !== link.tokenHash), session.hash];
        return {
          next: { ...current, recipients: current.recipients.map((x) => (x.id === r.id ? { ...x, linkHashes } : x)) },
          effects: [
            audit({
              at: deps.clock.now().toISOString(),
              action: 'recipient.embedded_link_opened',
              actor: { type: 'recipient', id: r.id },
              ...meta,
              data: { recipientId: r.id, allowedOrigin: embed.allowedOrigin },
            }),
          ],
        };
      },
      { current: link.envelope },
    );
  } catch (e) {
    await deps.tokens.delete(session.hash);
    throw e;
  }
  await deps.tokens.delete(link.tokenHash);
  return { token: session.token, grant };
};
