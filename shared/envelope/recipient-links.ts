import { AppError } from '../errors.js';
import { linkEmailFor } from '../mail/workflow-templates.js';
import { sendToRecipient } from '../messaging/deliver.js';
import { invitationMessage } from '../messaging/recipient-messages.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { expireIfDue } from './end-envelope.js';
import { storeLinkToken } from './notify-recipients.js';
import { assertEnvelopeLive, hasActed } from './routing.js';
import type { Envelope, Recipient } from './types.js';
import { getEnvelopeOrThrow, updateEnvelope } from './update-envelope.js';

const assertCanReissue = (envelope: Envelope, recipientId: string): Recipient => {
  assertEnvelopeLive(envelope);
  if (envelope.status !== 'sent' && envelope.status !== 'draft') {
    throw new AppError('invalid_state', `The envelope is ${envelope.status}; its links cannot change.`);
  }
  const r = envelope.recipients.find((x) => x.id === recipientId);
  if (!r) throw new AppError('unknown_recipient', 'No such recipient in this envelope.');
  if (r.role === 'seal') throw new AppError('invalid_state', 'The seal is applied by the platform; it has no link.');
  if (hasActed(r) || r.status === 'declined') throw new AppError('invalid_state', `${r.email} has already acted; nothing to change.`);
  return r;
};

/**
 * A new link for a recipient whose turn it is (status notified or viewed): the new token
 * replaces every earlier one in a single conditional write, so the old links die at once.
 */
export const resendLink = async (deps: EnvelopeDeps, tenantId: string, envelopeId: string, recipientId: string, meta: RequestMeta) => {
  const envelope = await expireIfDue(deps, await getEnvelopeOrThrow(deps, tenantId, envelopeId));
  const r = assertCanReissue(envelope, recipientId);
  if (envelope.status !== 'sent' || r.status === 'pending') {
    throw new AppError('invalid_state', 'It is not this recipient’s turn yet: their link goes out when earlier recipients finish.');
  }
  const link = await storeLinkToken(deps, envelope, r);
  const { after } = await updateEnvelope(deps, tenantId, envelopeId, (current) => {
    assertCanReissue(current, recipientId);
    return { ...current, recipients: current.recipients.map((x) => (x.id === recipientId ? { ...x, linkHashes: [link.hash] } : x)) };
  });
  await Promise.all((r.linkHashes ?? []).map((h) => deps.tokens.delete(h)));
  const tenant = await deps.tenants.get(tenantId);
  const sent = await sendToRecipient(
    deps,
    envelope,
    r,
    invitationMessage(r, { senderName: tenant?.name ?? 'Kyso', title: envelope.title, link: link.link }),
  );
  await deps.audit.append(tenantId, envelopeId, {
    at: deps.clock.now().toISOString(),
    action: 'recipient.link_resent',
    actor: { type: 'tenant', id: tenantId },
    ...meta,
    data: { recipientId, channel: sent.map((x) => x.channel).join('+') },
  });
  return after;
};

/**
 * Changes a recipient's email (and optionally name) before they act. Their old link dies; if
 * it is their turn, the new address gets a new link at once.
 */
export const changeRecipient = async (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
  recipientId: string,
  change: { email?: string; name?: string },
  meta: RequestMeta,
) => {
  const envelope = await expireIfDue(deps, await getEnvelopeOrThrow(deps, tenantId, envelopeId));
  const r = assertCanReissue(envelope, recipientId);
  const email = change.email?.trim().toLowerCase() ?? r.email;
  const name = change.name?.trim() || r.name;
  if (envelope.recipients.some((x) => x.id !== recipientId && x.email === email)) {
    throw new AppError('validation_failed', `Recipient ${email} is already in this envelope.`);
  }
  const isTheirTurn = envelope.status === 'sent' && r.status !== 'pending';
  const link = isTheirTurn ? await storeLinkToken(deps, envelope, { ...r, email }) : undefined;
  const { after } = await updateEnvelope(deps, tenantId, envelopeId, (current) => {
    assertCanReissue(current, recipientId);
    return {
      ...current,
      recipients: current.recipients.map((x) =>
        x.id === recipientId
          ? {
              ...x,
              email,
              name,
              // The old address's links die; a new one only if it is their turn.
              linkHashes: link ? [link.hash] : [],
              ...(link ? { status: 'notified' as const } : {}),
            }
          : x,
      ),
    };
  });
  await Promise.all((r.linkHashes ?? []).map((h) => deps.tokens.delete(h)));
  if (link) {
    const tenant = await deps.tenants.get(tenantId);
    await deps.mailer.send(
      linkEmailFor(r.role)({ to: email, recipientName: name, senderName: tenant?.name ?? 'Kyso', title: envelope.title, link: link.link }),
    );
  }
  await deps.audit.append(tenantId, envelopeId, {
    at: deps.clock.now().toISOString(),
    action: 'recipient.changed',
    actor: { type: 'tenant', id: tenantId },
    ...meta,
    data: { recipientId, previousEmail: r.email, email, ...(name !== r.name ? { name } : {}) },
  });
  return after;
};
