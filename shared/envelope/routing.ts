import { AppError } from '../errors.js';
import type { Envelope, Recipient } from './types.js';

const isDone = (r: Recipient) => r.status === 'signed';

/**
 * Routing order: recipients with the same `order` act in parallel; a higher order waits
 * until every lower one is done. The active order is the lowest with someone not done.
 */
export const activeOrder = (envelope: Envelope): number | undefined => {
  const open = envelope.recipients.filter((r) => !isDone(r)).map((r) => r.order);
  return open.length ? Math.min(...open) : undefined;
};

/** Recipients whose turn it is and who have not been sent their link yet. */
export const recipientsToNotify = (envelope: Envelope): Recipient[] => {
  const order = activeOrder(envelope);
  return envelope.recipients.filter((r) => r.order === order && r.status === 'pending');
};

export const isComplete = (envelope: Envelope): boolean => envelope.recipients.every(isDone);

/** Guards a signature: the envelope is out for signing, the recipient has not acted, and it is their turn. */
export const assertCanSign = (envelope: Envelope, recipientId: string): Recipient => {
  const recipient = envelope.recipients.find((r) => r.id === recipientId);
  if (!recipient) throw new AppError('token_invalid', 'This signing link is not valid.');
  if (recipient.status === 'signed') throw new AppError('already_signed', 'You have already signed this envelope.');
  if (envelope.status !== 'sent') {
    throw new AppError('invalid_state', `The envelope is ${envelope.status}; it can no longer be signed.`);
  }
  if (activeOrder(envelope) !== recipient.order) {
    throw new AppError('not_your_turn', 'It is not your turn to sign yet: earlier signers have not finished.');
  }
  return recipient;
};
