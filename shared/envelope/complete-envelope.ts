import { sendToRecipient } from '../messaging/deliver.js';
import { completedMessage } from '../messaging/recipient-messages.js';
import { signAuditHead } from './audit-trail-signature.js';
import type { EnvelopeDeps } from './deps.js';
import { storeLinkToken } from './notify-recipients.js';
import type { Envelope } from './types.js';
import { updateEnvelope } from './update-envelope.js';

/**
 * After an envelope completes (its `envelope.completed` event is in the trail): the audit
 * head is signed, it leaves the scheduler's list, and every recipient with an email —
 * viewers included — gets the completed copy as a fresh link to the signed document.
 */
export const announceCompletion = async (deps: EnvelopeDeps, envelope: Envelope): Promise<void> => {
  await signAuditHead(deps, envelope);
  await deps.openEnvelopes?.remove(envelope.tenantId, envelope.id);
  const to = envelope.recipients.filter((r) => r.email || r.phone);
  const links = new Map(await Promise.all(to.map(async (r) => [r.id, await storeLinkToken(deps, envelope, r)] as const)));
  await updateEnvelope(deps, envelope.tenantId, envelope.id, (current) => ({
    ...current,
    recipients: current.recipients.map((r) => {
      const link = links.get(r.id);
      return link ? { ...r, linkHashes: [...(r.linkHashes ?? []), link.hash] } : r;
    }),
  }));
  for (const r of to) {
    await sendToRecipient(deps, envelope, r, completedMessage(r, { title: envelope.title, link: links.get(r.id)?.link }));
  }
};
