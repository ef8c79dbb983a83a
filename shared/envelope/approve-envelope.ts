import { announceCompletion } from './complete-envelope.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { addLongTermRevisions } from './long-term-revisions.js';
import { notifyRecipients } from './notify-recipients.js';
import { assertCanAct, isComplete } from './routing.js';
import type { Envelope } from './types.js';
import { updateEnvelope } from './update-envelope.js';

/**
 * An approver approves (no signature, no PDF revision): routing moves on exactly as after a
 * signature. If the approval is the last action, it completes the envelope and the
 * documents get their long-term revision (DSS + document timestamp) as after a signature.
 */
export const approveEnvelope = async (
  deps: EnvelopeDeps,
  link: { tenantId: string; envelopeId: string; recipientId: string },
  meta: RequestMeta & { method?: string },
): Promise<Envelope> => {
  const now = deps.clock.now().toISOString();
  const { after } = await updateEnvelope(deps, link.tenantId, link.envelopeId, async (current) => {
    assertCanAct(current, link.recipientId, ['approver']);
    const next: Envelope = {
      ...current,
      recipients: current.recipients.map((r) => (r.id === link.recipientId ? { ...r, status: 'approved', approvedAt: now } : r)),
    };
    if (!isComplete(next)) return next;
    // The approval finishes the envelope: the documents still get their long-term revision.
    return { ...next, documents: await addLongTermRevisions(deps, current, current.documents), status: 'completed', completedAt: now };
  });
  const me = after.recipients.find((r) => r.id === link.recipientId);
  const { method, ...requestMeta } = meta;
  await deps.audit.append(after.tenantId, after.id, {
    at: now,
    action: 'recipient.approved',
    actor: { type: 'recipient', id: link.recipientId, email: me?.email },
    ...requestMeta,
    data: { method: method ?? 'email-link', documents: after.documents.map((d) => ({ id: d.id, sha256: d.sha256 })) },
  });
  await deps.events?.publish(after.tenantId, 'recipient.approved', { envelopeId: after.id, recipientId: link.recipientId });
  if (after.status !== 'completed') return notifyRecipients(deps, after);
  await deps.audit.append(after.tenantId, after.id, {
    at: now,
    action: 'envelope.completed',
    actor: { type: 'system' },
    data: { documents: after.documents.map((d) => ({ id: d.id, sha256: d.sha256 })) },
  });
  await announceCompletion(deps, after);
  await deps.events?.publish(after.tenantId, 'envelope.completed', { envelopeId: after.id, status: 'completed' });
  return after;
};
