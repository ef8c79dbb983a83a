import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { audit, webhook } from './effects.js';
import { commitTransition } from './transition.js';
import type { Envelope } from './types.js';

/**
 * A recipient opens their link for the first time: notified → viewed, with the
 * `recipient.viewed` audit event and webhook, in one commit (a concurrent first view finds
 * nothing left to do). Any later view changes nothing and writes nothing.
 */
export const recordView = async (deps: EnvelopeDeps, envelope: Envelope, recipientId: string, meta: RequestMeta): Promise<Envelope> => {
  const firstView = (e: Envelope) => e.status === 'sent' && e.recipients.find((r) => r.id === recipientId)?.status === 'notified';
  if (!firstView(envelope)) return envelope;
  const { after } = await commitTransition(
    deps,
    envelope.tenantId,
    envelope.id,
    (current) => {
      if (!firstView(current)) return undefined;
      const me = current.recipients.find((r) => r.id === recipientId);
      const at = deps.clock.now().toISOString();
      return {
        next: {
          ...current,
          recipients: current.recipients.map((r) => (r.id === recipientId ? { ...r, status: 'viewed', viewedAt: at } : r)),
        },
        effects: [
          audit({ at, action: 'recipient.viewed', actor: { type: 'recipient', id: recipientId, email: me?.email }, ...meta }),
          webhook('recipient.viewed', { envelopeId: current.id, recipientId }),
        ],
      };
    },
    { current: envelope },
  );
  return after;
};
