import { AppError } from '../errors.js';
import { certifyDocuments } from './certify-documents.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { audit, type Transition, webhook } from './effects.js';
import { claimDueRecipients } from './notify-recipients.js';
import { commitTransition } from './transition.js';
import type { Envelope, Tenant } from './types.js';

/**
 * draft → sent (documents certified with every field in place), and in the same commit the
 * first signer(s) are claimed: their links go out from the outbox, with the `envelope.sent`
 * audit event and webhook, and the envelope joins the scheduler's list. Sending twice is refused.
 */
export const sendEnvelope = async (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
  meta: RequestMeta,
  /** `current`: the envelope as the caller just read or wrote it (the first attempt uses it; a conflict reads again). */
  options: { readonly current?: Envelope } = {},
): Promise<Envelope> => {
  const tenant = await deps.tenants.get(tenantId);
  const { after } = await commitTransition(
    deps,
    tenantId,
    envelopeId,
    (current) => decideSend(deps, current, tenant, meta),
    options.current ? { current: options.current } : {},
  );
  return after;
};

/**
 * The send itself, a function of the draft: its documents certified with every field in place,
 * status `sent`, the first signer(s) claimed, and what that owes. Shared by sendEnvelope and
 * createSentEnvelope (a new envelope sent in the same commit).
 */
export const decideSend = async (
  deps: EnvelopeDeps,
  current: Envelope,
  tenant: Pick<Tenant, 'name' | 'tsaUrls'> | undefined,
  meta: RequestMeta,
): Promise<Transition> => {
  if (current.status !== 'draft') {
    throw new AppError('invalid_state', `The envelope is already ${current.status}; only a draft can be sent.`);
  }
  // Fields become AcroForm fields and the documents are certified before anyone signs.
  const documents = await certifyDocuments(deps, current, tenant?.name ?? 'Kyso', undefined, tenant ? { tenant } : {});
  const now = deps.clock.now();
  const sent: Envelope = { ...current, documents, status: 'sent', sentAt: now.toISOString() };
  const claimed = claimDueRecipients(sent, now);
  return {
    next: claimed.next,
    effects: [
      audit({ at: now.toISOString(), action: 'envelope.sent', actor: { type: 'tenant', id: current.tenantId }, ...meta }),
      webhook('envelope.sent', { envelopeId: current.id, status: 'sent' }),
      // Listed for the scheduler's sweeps (reminders, expiry) until it ends.
      { kind: 'open-index', op: 'add' },
      ...claimed.effects,
    ],
  };
};
