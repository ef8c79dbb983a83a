import { AppError } from '../errors.js';
import type { Envelope, Recipient, RecipientRole } from './types.js';

/** Viewers only receive the completed copy: they never block the routing order. */
export const isActor = (r: Recipient): boolean => r.role !== 'viewer';

/** A recipient who has done their part: signed (signer, seal) or approved (approver). */
export const hasActed = (r: Recipient): boolean => r.status === 'signed' || r.status === 'approved';

/**
 * Routing order: recipients with the same `order` act in parallel; a higher order waits
 * until every lower one is done (any mix of roles: 1, 2, 2, 2, 3). The active order is the
 * lowest with an actor who has not acted; viewers are left out.
 */
export const activeOrder = (envelope: Envelope): number | undefined => {
  const open = envelope.recipients.filter((r) => isActor(r) && !hasActed(r)).map((r) => r.order);
  return open.length ? Math.min(...open) : undefined;
};

/** Actors whose turn it is and who have not been sent their link (or, for a seal, not been applied) yet. */
export const recipientsToNotify = (envelope: Envelope): Recipient[] => {
  if (envelope.status !== 'sent') return [];
  const order = activeOrder(envelope);
  return envelope.recipients.filter((r) => isActor(r) && r.order === order && r.status === 'pending');
};

/** Complete when every actor has acted; viewers do not count. */
export const isComplete = (envelope: Envelope): boolean => envelope.recipients.filter(isActor).every(hasActed);

/** A terminal envelope kills every link: the recipient sees why (voided, declined, expired). */
export const assertEnvelopeLive = (envelope: Envelope): void => {
  if (envelope.status === 'voided') throw new AppError('envelope_voided', 'The sender voided this envelope; the link no longer works.');
  if (envelope.status === 'declined') throw new AppError('envelope_declined', 'This envelope was declined; the link no longer works.');
  if (envelope.status === 'expired') throw new AppError('envelope_expired', 'This envelope has expired; the link no longer works.');
};

/**
 * Guards an action (sign, approve, decline): the envelope is out for signing, the recipient
 * has the role for it, has not acted, and it is their turn.
 */
export const assertCanAct = (envelope: Envelope, recipientId: string, roles: readonly RecipientRole[]): Recipient => {
  const recipient = envelope.recipients.find((r) => r.id === recipientId);
  if (!recipient) throw new AppError('token_invalid', 'This signing link is not valid.');
  if (recipient.status === 'signed') throw new AppError('already_signed', 'You have already signed this envelope.');
  if (recipient.status === 'approved') throw new AppError('already_signed', 'You have already approved this envelope.');
  if (recipient.status === 'declined') throw new AppError('invalid_state', 'You have declined this envelope.');
  assertEnvelopeLive(envelope);
  if (envelope.status !== 'sent') {
    throw new AppError('invalid_state', `The envelope is ${envelope.status}; it can no longer be signed.`);
  }
  if (!roles.includes(recipient.role)) {
    throw new AppError('wrong_role', `As ${recipient.role === 'approver' ? 'an' : 'a'} ${recipient.role} you cannot do this.`);
  }
  if (activeOrder(envelope) !== recipient.order) {
    throw new AppError('not_your_turn', 'It is not your turn yet: earlier recipients have not finished.');
  }
  return recipient;
};

/** Guards a signature (signers and the seal). */
export const assertCanSign = (envelope: Envelope, recipientId: string): Recipient =>
  assertCanAct(envelope, recipientId, ['signer', 'seal']);
