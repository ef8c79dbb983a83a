import { AppError } from '../errors.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { audit, type Effect, type Transition } from './effects.js';
import { expireIfDue } from './end-envelope.js';
import { assertEnvelopeLive, hasActed } from './routing.js';
import { commitTransition } from './transition.js';
import type { Envelope, Recipient } from './types.js';
import { getEnvelopeOrThrow } from './update-envelope.js';

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
 * The one commit that replaces a recipient's links: the recipient must still be able to get
 * one (`assertCanReissue`); `decide` returns the next state (their `linkHashes` emptied) and
 * what it owes. The old tokens' items are deleted after the commit (they died with it).
 */
const reissueLinks = async (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
  recipientId: string,
  decide: (current: Envelope, recipient: Recipient) => Transition,
): Promise<Envelope> => {
  const envelope = await expireIfDue(deps, await getEnvelopeOrThrow(deps, tenantId, envelopeId));
  let old: readonly string[] = [];
  const { after } = await commitTransition(
    deps,
    tenantId,
    envelopeId,
    (current) => {
      const r = assertCanReissue(current, recipientId);
      old = r.linkHashes ?? [];
      return decide(current, r);
    },
    { current: envelope },
  );
  await Promise.all(old.map((h) => deps.tokens.delete(h)));
  return after;
};

/**
 * A new link for a recipient whose turn it is (status notified or viewed): one commit kills
 * every earlier link at once (their hashes leave the recipient) and owes a message with a new
 * one (made by the worker, audited `recipient.link_resent` with its channels once sent).
 */
export const resendLink = (deps: EnvelopeDeps, tenantId: string, envelopeId: string, recipientId: string, meta: RequestMeta) =>
  reissueLinks(deps, tenantId, envelopeId, recipientId, (current, r) => {
    if (current.status !== 'sent' || r.status === 'pending') {
      throw new AppError('invalid_state', 'It is not this recipient’s turn yet: their link goes out when earlier recipients finish.');
    }
    return {
      next: { ...current, recipients: current.recipients.map((x) => (x.id === recipientId ? { ...x, linkHashes: [] } : x)) },
      effects: [
        {
          kind: 'link-message',
          recipientId,
          purpose: 'sign',
          audit: { action: 'recipient.link_resent', actor: { type: 'tenant', id: tenantId }, ...meta, data: { recipientId } },
        },
      ],
    };
  });

/**
 * Changes a recipient's email (and optionally name) before they act. Their old link dies in
 * the same commit; if it is their turn, a message with a new link to the new address is owed.
 */
export const changeRecipient = (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
  recipientId: string,
  change: { email?: string; name?: string },
  meta: RequestMeta,
) =>
  reissueLinks(deps, tenantId, envelopeId, recipientId, (current, r) => {
    const email = change.email?.trim().toLowerCase() ?? r.email;
    const name = change.name?.trim() || r.name;
    if (current.recipients.some((x) => x.id !== recipientId && x.email === email)) {
      throw new AppError('validation_failed', `Recipient ${email} is already in this envelope.`);
    }
    const isTheirTurn = current.status === 'sent' && r.status !== 'pending';
    const effects: Effect[] = [
      audit({
        at: deps.clock.now().toISOString(),
        action: 'recipient.changed',
        actor: { type: 'tenant', id: tenantId },
        ...meta,
        data: { recipientId, previousEmail: r.email, email, ...(name !== r.name ? { name } : {}) },
      }),
    ];
    if (isTheirTurn) effects.unshift({ kind: 'link-message', recipientId, purpose: 'sign' });
    return {
      next: {
        ...current,
        recipients: current.recipients.map((x) =>
          // The old address's links die; a new one only if it is their turn.
          x.id === recipientId ? { ...x, email, name, linkHashes: [], ...(isTheirTurn ? { status: 'notified' as const } : {}) } : x,
        ),
      },
      effects,
    };
  });
