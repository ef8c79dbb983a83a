import { AppError } from '../errors.js';
import { certifyDocuments } from './certify-documents.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { notifyRecipients } from './notify-recipients.js';
import type { Envelope } from './types.js';
import { updateEnvelope } from './update-envelope.js';

/** draft → sent (documents certified with every field in place), then the first signer(s) get their link. Sending twice is refused. */
export const sendEnvelope = async (deps: EnvelopeDeps, tenantId: string, envelopeId: string, meta: RequestMeta): Promise<Envelope> => {
  const tenant = await deps.tenants.get(tenantId);
  const { after } = await updateEnvelope(deps, tenantId, envelopeId, async (current) => {
    if (current.status !== 'draft') {
      throw new AppError('invalid_state', `The envelope is already ${current.status}; only a draft can be sent.`);
    }
    // Fields become AcroForm fields and the documents are certified before anyone signs.
    const documents = await certifyDocuments(deps, current, tenant?.name ?? 'Kyso');
    return { ...current, documents, status: 'sent', sentAt: deps.clock.now().toISOString() };
  });
  await deps.audit.append(tenantId, envelopeId, {
    at: deps.clock.now().toISOString(),
    action: 'envelope.sent',
    actor: { type: 'tenant', id: tenantId },
    ...meta,
  });
  await deps.events?.publish(tenantId, 'envelope.sent', { envelopeId, status: 'sent' });
  // Listed for the scheduler's sweeps (reminders, expiry) until it ends.
  await deps.openEnvelopes?.add(tenantId, envelopeId);
  return notifyRecipients(deps, after);
};
