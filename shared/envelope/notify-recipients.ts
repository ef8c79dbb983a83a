import { signRequestEmail } from '../mail/templates.js';
import { randomId, sha256Hex } from '../util/bytes.js';
import type { EnvelopeDeps } from './deps.js';
import { recipientsToNotify } from './routing.js';
import type { Envelope } from './types.js';
import { updateEnvelope } from './update-envelope.js';

/** The link token: 256 random bits, only ever stored as its SHA-256. */
export const newLinkToken = (): { token: string; hash: string } => {
  const token = randomId(32);
  return { token, hash: hashToken(token) };
};

export const hashToken = (token: string): string => sha256Hex(`kyso-link:${token}`);

/**
 * Emails a signing link to every recipient whose turn it is and who has not had one. Each
 * link grants exactly one recipient of one envelope. Marks them `notified` afterwards.
 */
export const notifyRecipients = async (deps: EnvelopeDeps, envelope: Envelope): Promise<Envelope> => {
  const due = recipientsToNotify(envelope);
  if (due.length === 0) return envelope;
  const tenant = await deps.tenants.get(envelope.tenantId);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.linkTtlDays * 86400_000).toISOString();
  for (const r of due) {
    const { token, hash } = newLinkToken();
    await deps.tokens.put(hash, { tenantId: envelope.tenantId, envelopeId: envelope.id, recipientId: r.id, expiresAt });
    await deps.mailer.send(
      signRequestEmail({
        to: r.email,
        recipientName: r.name,
        senderName: tenant?.name ?? 'Kyso',
        title: envelope.title,
        link: `${deps.publicUrl}/s/${token}`,
      }),
    );
    await deps.audit.append(envelope.tenantId, envelope.id, {
      at: deps.clock.now().toISOString(),
      action: 'recipient.notified',
      actor: { type: 'system' },
      data: { recipientId: r.id, channel: 'email' },
    });
  }
  const ids = new Set(due.map((r) => r.id));
  const { after } = await updateEnvelope(deps, envelope.tenantId, envelope.id, (current) => ({
    ...current,
    recipients: current.recipients.map((r) =>
      ids.has(r.id) && r.status === 'pending' ? { ...r, status: 'notified', notifiedAt: now.toISOString() } : r,
    ),
  }));
  return after;
};
