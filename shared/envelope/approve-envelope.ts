import { completeTransition } from './complete-envelope.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { audit, type Effect, webhook } from './effects.js';
import { addLongTermRevisions } from './long-term-revisions.js';
import { claimDueRecipients } from './notify-recipients.js';
import { assertCanAct, isComplete } from './routing.js';
import { commitTransition } from './transition.js';
import type { Envelope } from './types.js';

/**
 * An approver approves (no signature, no PDF revision): routing moves on exactly as after a
 * signature. If the approval is the last action, it completes the envelope and the
 * documents get their long-term revision (DSS + document timestamp) as after a signature.
 */
export const approveEnvelope = async (
  deps: EnvelopeDeps,
  link: { tenantId: string; envelopeId: string; recipientId: string },
  meta: RequestMeta & { method?: string },
  options: { readonly current?: Envelope } = {},
): Promise<Envelope> => {
  const now = deps.clock.now();
  const at = now.toISOString();
  const { method, ...requestMeta } = meta;
  const { after } = await commitTransition(
    deps,
    link.tenantId,
    link.envelopeId,
    async (current) => {
      const me = assertCanAct(current, link.recipientId, ['approver']);
      const approved: Envelope = {
        ...current,
        recipients: current.recipients.map((r) => (r.id === link.recipientId ? { ...r, status: 'approved', approvedAt: at } : r)),
      };
      const complete = isComplete(approved);
      // The approval finishes the envelope: the documents still get their long-term revision.
      const next: Envelope = complete
        ? { ...approved, documents: await addLongTermRevisions(deps, current, current.documents), status: 'completed', completedAt: at }
        : approved;
      const effects: Effect[] = [
        audit({
          at,
          action: 'recipient.approved',
          actor: { type: 'recipient', id: link.recipientId, email: me.email },
          ...requestMeta,
          data: { method: method ?? 'email-link', documents: next.documents.map((d) => ({ id: d.id, sha256: d.sha256 })) },
        }),
        webhook('recipient.approved', { envelopeId: current.id, recipientId: link.recipientId }),
      ];
      if (complete) return completeTransition(next, effects, at);
      const claimed = claimDueRecipients(next, now);
      return { next: claimed.next, effects: [...effects, ...claimed.effects] };
    },
    options.current ? { current: options.current } : {},
  );
  return after;
};
