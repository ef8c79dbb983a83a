import { AppError } from '../errors.js';
import { declinedEmail, expiredEmail, voidedEmail } from '../mail/workflow-templates.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import type { MailMessage } from './ports.js';
import { assertCanAct, hasActed } from './routing.js';
import type { Envelope, Recipient } from './types.js';
import { updateEnvelope } from './update-envelope.js';

/**
 * The three ways an envelope ends without completing. Each is one conditional write (the
 * state is the single source of truth for every link: a link of a voided, declined or
 * expired envelope is dead), then the audit event, the emails and the webhook event.
 */

const hadLink = (r: Recipient) => r.role !== 'seal' && !!r.email && r.status !== 'pending';

const sendAll = async (deps: EnvelopeDeps, messages: MailMessage[]) => {
  const seen = new Set<string>();
  for (const m of messages) {
    if (seen.has(m.to)) continue;
    seen.add(m.to);
    await deps.mailer.send(m);
  }
};

const afterEnd = async (deps: EnvelopeDeps, e: Envelope) => {
  await deps.openEnvelopes?.remove(e.tenantId, e.id);
  const type = e.status === 'voided' ? 'envelope.voided' : e.status === 'declined' ? 'envelope.declined' : 'envelope.expired';
  await deps.events?.publish(e.tenantId, type, {
    envelopeId: e.id,
    status: e.status,
    ...(e.statusReason ? { reason: e.statusReason } : {}),
  });
};

/** Lazy expiry: a sent envelope past its expiresAt becomes expired on the first access (or sweep) that sees it. */
export const expireIfDue = async (deps: EnvelopeDeps, envelope: Envelope): Promise<Envelope> => {
  const isDue = (e: Envelope) => e.status === 'sent' && !!e.expiresAt && Date.parse(e.expiresAt) <= deps.clock.now().getTime();
  if (!isDue(envelope)) return envelope;
  let changed = false;
  const { after } = await updateEnvelope(deps, envelope.tenantId, envelope.id, (current) => {
    changed = isDue(current);
    return changed ? { ...current, status: 'expired', expiredAt: deps.clock.now().toISOString() } : current;
  });
  if (!changed) return after;
  await deps.audit.append(after.tenantId, after.id, {
    at: after.expiredAt as string,
    action: 'envelope.expired',
    actor: { type: 'system' },
    data: { expiresAt: after.expiresAt },
  });
  const to = [...(after.senderEmail ? [after.senderEmail] : []), ...after.recipients.filter(hadLink).map((r) => r.email)];
  await sendAll(
    deps,
    to.map((email) => expiredEmail({ to: email, title: after.title })),
  );
  await afterEnd(deps, after);
  return after;
};

/** A signer or approver declines, with a reason: the envelope ends; the sender and everyone who had acted hear of it. */
export const declineEnvelope = async (
  deps: EnvelopeDeps,
  link: { tenantId: string; envelopeId: string; recipientId: string },
  reason: string,
  meta: RequestMeta & { method?: string },
): Promise<Envelope> => {
  const why = reason.trim();
  if (!why) throw new AppError('validation_failed', 'Say why you decline (reason).');
  const now = deps.clock.now().toISOString();
  const { after } = await updateEnvelope(deps, link.tenantId, link.envelopeId, (current) => {
    assertCanAct(current, link.recipientId, ['signer', 'approver']);
    return {
      ...current,
      status: 'declined',
      declinedAt: now,
      statusReason: why,
      recipients: current.recipients.map((r) =>
        r.id === link.recipientId ? { ...r, status: 'declined', declinedAt: now, declineReason: why } : r,
      ),
    };
  });
  const who = after.recipients.find((r) => r.id === link.recipientId) as Recipient;
  const { method, ...requestMeta } = meta;
  await deps.audit.append(after.tenantId, after.id, {
    at: now,
    action: 'recipient.declined',
    actor: { type: 'recipient', id: who.id, email: who.email },
    ...requestMeta,
    data: { reason: why, role: who.role, ...(method ? { method } : {}) },
  });
  const to = [
    ...(after.senderEmail ? [after.senderEmail] : []),
    ...after.recipients.filter((r) => hasActed(r) && r.email).map((r) => r.email),
  ];
  await sendAll(
    deps,
    to.map((email) => declinedEmail({ to: email, title: after.title, who: who.name, reason: why })),
  );
  await afterEnd(deps, after);
  return after;
};

/** The sender voids an envelope that is out for signing (or still a draft): every link dies at once. */
export const voidEnvelope = async (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
  reason: string,
  meta: RequestMeta,
): Promise<Envelope> => {
  const why = reason.trim();
  if (!why) throw new AppError('validation_failed', 'Say why the envelope is voided (reason).');
  const now = deps.clock.now().toISOString();
  const { before, after } = await updateEnvelope(deps, tenantId, envelopeId, (current) => {
    if (current.status !== 'sent' && current.status !== 'draft') {
      throw new AppError('invalid_state', `The envelope is ${current.status}; only a draft or a sent envelope can be voided.`);
    }
    return { ...current, status: 'voided', voidedAt: now, statusReason: why };
  });
  await deps.audit.append(tenantId, envelopeId, {
    at: now,
    action: 'envelope.voided',
    actor: { type: 'tenant', id: tenantId },
    ...meta,
    data: { reason: why, previousStatus: before.status },
  });
  const tenant = await deps.tenants.get(tenantId);
  await sendAll(
    deps,
    after.recipients
      .filter(hadLink)
      .map((r) => voidedEmail({ to: r.email, title: after.title, senderName: tenant?.name ?? 'Kyso', reason: why })),
  );
  await afterEnd(deps, after);
  return after;
};
