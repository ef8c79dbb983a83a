import { sendToRecipient } from '../messaging/deliver.js';
import { invitationMessage } from '../messaging/recipient-messages.js';
import { randomId, sha256Hex } from '../util/bytes.js';
import { applySeal } from './apply-seal.js';
import type { EnvelopeDeps } from './deps.js';
import { recipientsToNotify } from './routing.js';
import type { Envelope, Recipient } from './types.js';
import { updateEnvelope } from './update-envelope.js';

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
 * Emails a signing link to every recipient whose turn it is and who has not had one, and
 * applies the tenant's seal when the seal's turn comes. Recipients are claimed (pending →
 * notified, with their new link hash) in one conditional write before any email goes out,
 * so two signers finishing at the same instant cannot both notify the next order.
 */
export const notifyRecipients = async (deps: EnvelopeDeps, envelope: Envelope): Promise<Envelope> => {
  const due = recipientsToNotify(envelope);
  if (due.length === 0) return envelope;
  const links = new Map(
    await Promise.all(due.filter((r) => r.role !== 'seal').map(async (r) => [r.id, await storeLinkToken(deps, envelope, r)] as const)),
  );
  const dueIds = new Set(due.map((r) => r.id));
  const now = deps.clock.now().toISOString();
  let claimed: Recipient[] = [];
  const { after } = await updateEnvelope(deps, envelope.tenantId, envelope.id, (current) => {
    const stillDue = new Set(recipientsToNotify(current).map((r) => r.id));
    claimed = current.recipients.filter((r) => dueIds.has(r.id) && stillDue.has(r.id));
    if (claimed.length === 0) return current;
    const ids = new Set(claimed.map((r) => r.id));
    return {
      ...current,
      recipients: current.recipients.map((r) => {
        if (!ids.has(r.id)) return r;
        const link = links.get(r.id);
        return { ...r, status: 'notified', notifiedAt: now, ...(link ? { linkHashes: [link.hash] } : {}) };
      }),
    };
  });
  if (claimed.length === 0) return after;
  const tenant = await deps.tenants.get(envelope.tenantId);
  for (const r of claimed) {
    const link = links.get(r.id);
    if (!link) continue;
    const sent = await sendToRecipient(
      deps,
      envelope,
      r,
      invitationMessage(r, { senderName: tenant?.name ?? 'Kyso', title: envelope.title, link: link.link }),
    );
    await deps.audit.append(envelope.tenantId, envelope.id, {
      at: deps.clock.now().toISOString(),
      action: 'recipient.notified',
      actor: { type: 'system' },
      data: { recipientId: r.id, channel: sent.map((x) => x.channel).join('+'), role: r.role },
    });
  }
  let latest = after;
  for (const r of claimed.filter((x) => x.role === 'seal')) latest = await applySeal(deps, latest, r.id);
  return latest;
};
