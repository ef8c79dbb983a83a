import { randomId, sha256Hex } from '../util/bytes.js';
import type { EnvelopeDeps } from './deps.js';
import type { Effect, Transition } from './effects.js';
import { recipientsToNotify } from './routing.js';
import { commitTransition } from './transition.js';
import type { Envelope, Recipient } from './types.js';

/** The link token: 256 random bits, only ever stored as its SHA-256. */
export const newLinkToken = (): { token: string; hash: string } => {
  const token = randomId(32);
  return { token, hash: hashToken(token) };
};

export const hashToken = (token: string): string => sha256Hex(`kyso-link:${token}`);

/**
 * Stores a new link token for a recipient (not yet live: a token is live only once its hash
 * is in the recipient's `linkHashes`, which the caller writes with the envelope). Expires
 * with the link TTL, and never after the envelope does.
 */
export const storeLinkToken = async (deps: EnvelopeDeps, envelope: Envelope, recipient: Recipient) => {
  const { token, hash } = newLinkToken();
  const ttl = deps.clock.now().getTime() + deps.linkTtlDays * 86400_000;
  const until = envelope.status === 'sent' && envelope.expiresAt ? Math.min(ttl, Date.parse(envelope.expiresAt)) : ttl;
  await deps.tokens.put(hash, {
    tenantId: envelope.tenantId,
    envelopeId: envelope.id,
    recipientId: recipient.id,
    expiresAt: new Date(until).toISOString(),
  });
  return { token, hash, link: `${deps.publicUrl}/s/${token}` };
};

/**
 * Whose turn came, claimed in the state itself (pending → notified, no live link yet): each
 * owes a message with a fresh link (`link-message`, made by the worker, which then appends
 * `recipient.notified` with the channels it went by); a seal owes its turn (`seal-turn`), applied by a job. Because the
 * claim is part of the state change that opened the turn, two signers finishing at once can
 * never both notify the next order, and a crash cannot lose the notification.
 */
export const claimDueRecipients = (envelope: Envelope, now: Date): Transition => {
  const due = new Set(recipientsToNotify(envelope).map((r) => r.id));
  if (due.size === 0) return { next: envelope, effects: [] };
  const at = now.toISOString();
  const effects: Effect[] = [];
  for (const r of envelope.recipients.filter((x) => due.has(x.id))) {
    if (r.role === 'seal') {
      effects.push({ kind: 'seal-turn', recipientId: r.id });
      continue;
    }
    effects.push({
      kind: 'link-message',
      recipientId: r.id,
      purpose: 'sign',
      audit: { action: 'recipient.notified', actor: { type: 'system' }, data: { recipientId: r.id, role: r.role } },
    });
  }
  return {
    next: {
      ...envelope,
      recipients: envelope.recipients.map((r) =>
        due.has(r.id) ? { ...r, status: 'notified', notifiedAt: at, ...(r.role === 'seal' ? {} : { linkHashes: [] }) } : r,
      ),
    },
    effects,
  };
};

/** Repair: recipients whose turn came but who were never claimed (an envelope written before the outbox). */
export const notifyRecipients = async (deps: EnvelopeDeps, envelope: Envelope): Promise<Envelope> => {
  if (recipientsToNotify(envelope).length === 0) return envelope;
  const { after } = await commitTransition(
    deps,
    envelope.tenantId,
    envelope.id,
    (current) => {
      const claimed = claimDueRecipients(current, deps.clock.now());
      return claimed.effects.length ? claimed : undefined;
    },
    { current: envelope },
  );
  return after;
};
