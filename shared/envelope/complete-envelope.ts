import { oweRegistration } from '../labour/owe-registration.js';
import { audit, type Effect, type Transition, webhook } from './effects.js';
import type { Envelope } from './types.js';

/**
 * What completing an envelope owes, whoever completes it (the last signer, approver or seal):
 * the `envelope.completed` event and webhook, the signed audit head (after every event of the
 * completing commit), the archive (Object Lock of documents, certificate and audit export:
 * shared/retention/archive-envelope.ts), leaving the scheduler's list, and the completed copy — a fresh link to
 * the signed documents — for every recipient with an email or a phone, viewers included.
 * A labour contract also owes its registration with the national platform (Decree 337).
 */
export const completionEffects = (envelope: Envelope, at: string): Effect[] => [
  audit({
    at,
    action: 'envelope.completed',
    actor: { type: 'system' },
    data: { documents: envelope.documents.map((d) => ({ id: d.id, sha256: d.sha256 })) },
  }),
  webhook('envelope.completed', { envelopeId: envelope.id, status: 'completed' }),
  { kind: 'head-signature' },
  // After the head signature (an ordered kind): the audit export it locks ends with it.
  { kind: 'archive' },
  { kind: 'open-index', op: 'remove' },
  ...envelope.recipients
    .filter((r) => r.email || r.phone)
    .map((r): Effect => ({ kind: 'link-message', recipientId: r.id, purpose: 'completed' })),
  ...(envelope.labourContract ? [{ kind: 'labour-registration' } as const] : []),
];

/**
 * The completing transition: the completed state — with a labour contract's registration
 * `pending` in it, so the registration is recorded by the same conditional write — and what
 * the completion owes on top of the caller's own effects.
 */
export const completeTransition = (completed: Envelope, effects: readonly Effect[], at: string): Transition => {
  const next = oweRegistration(completed);
  return { next, effects: [...effects, ...completionEffects(next, at)] };
};
