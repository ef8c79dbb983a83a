import type { Timestamper } from '../pki/cms.js';
import type { PlatformPki } from '../pki/platform-pki.js';
import type { Timer } from '../util/timer.js';
import { announceCompletion } from './complete-envelope.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { addLongTermRevisions } from './long-term-revisions.js';
import { notifyRecipients } from './notify-recipients.js';
import type { EnvelopeRepository } from './ports.js';
import { assertCanSign, isComplete } from './routing.js';
import { timestamperFor } from './timestamper-for.js';
import type { Envelope, EnvelopeDocument, Recipient, SigningGrant } from './types.js';
import { updateEnvelope } from './update-envelope.js';

/**
 * The step every way of signing ends with: a signer's new revisions are committed together
 * with their status in one conditional write on the envelope; when they were the last, the
 * same write carries the completion revisions (DSS + document timestamp, B-LTA). If another
 * request committed first, `revise` runs again on the newer envelope (or refuses: a pinned
 * two-phase revision cannot be rebuilt, so it throws document_changed instead).
 */
export interface SignerRevisions {
  /** Every document of the envelope, with the signer's new revisions in place. */
  readonly documents: readonly EnvelopeDocument[];
  /** Field values the signer filled, by field id. */
  readonly values: ReadonlyMap<string, string>;
}

export interface ReviseContext {
  readonly recipient: Recipient;
  readonly pki: PlatformPki;
  readonly timestamper: Timestamper;
  readonly timer: Timer;
}

/** The envelope store with its reads and writes counted as DynamoDB time (for Server-Timing). */
export const timedReadsAndWrites = (envelopes: EnvelopeRepository, timer: Timer): EnvelopeRepository => ({
  ...envelopes,
  get: (tenantId, envelopeId) => timer.time('ddb', () => envelopes.get(tenantId, envelopeId)),
  update: (next) => timer.time('ddb', () => envelopes.update(next)),
});

export const commitSignerRevisions = async (
  deps: EnvelopeDeps,
  grant: SigningGrant,
  timer: Timer,
  revise: (current: Envelope, context: ReviseContext) => Promise<SignerRevisions>,
  options: {
    /** When the signer signed (the /M time of their revisions). */
    readonly signedAt: Date;
    /** Hears which TSA stamped each of the signer's signatures (URL or "platform"), for the audit trail. */
    readonly onTimestamp?: (source: string) => void;
  },
): Promise<{ envelope: Envelope; attempts: number }> => {
  const { after, attempts } = await updateEnvelope(
    { envelopes: timedReadsAndWrites(deps.envelopes, timer), clock: deps.clock },
    grant.tenantId,
    grant.envelopeId,
    async (current) => {
      const recipient = assertCanSign(current, grant.recipientId);
      const pki = await deps.pki();
      // The tenant's TSAs, then the platform TSA (PAdES B-T on every signature).
      const timestamper = await timestamperFor(deps, pki, current.tenantId, options.onTimestamp);
      const revised = await revise(current, { recipient, pki, timestamper, timer });
      let documents = [...revised.documents];
      const signedAtIso = options.signedAt.toISOString();
      const signedNow: Envelope = {
        ...current,
        recipients: current.recipients.map((r) => (r.id === recipient.id ? { ...r, status: 'signed' as const, signedAt: signedAtIso } : r)),
      };
      if (isComplete(signedNow)) {
        // The document timestamps are not the signer's: their TSA is not reported as the signer's.
        const ltv = options.onTimestamp ? await timestamperFor(deps, pki, current.tenantId) : timestamper;
        documents = await addLongTermRevisions(deps, current, documents, { pki, timestamper: ltv, timer });
      }
      const next: Envelope = {
        ...signedNow,
        documents,
        fields: current.fields.map((f) => (revised.values.has(f.id) ? { ...f, value: revised.values.get(f.id) } : f)),
      };
      return isComplete(next) ? { ...next, status: 'completed', completedAt: signedAtIso } : next;
    },
  );
  return { envelope: after, attempts };
};

/**
 * After the commit: the audit event (with how the signer signed), webhooks, and either the
 * completion (audit, emails) or the next signers' links.
 */
export const announceSignature = async (
  deps: EnvelopeDeps,
  after: Envelope,
  grant: SigningGrant,
  meta: RequestMeta,
  data: Record<string, unknown>,
  options: { readonly timer?: Timer } = {},
): Promise<Envelope> => {
  const recipient = after.recipients.find((r) => r.id === grant.recipientId);
  const append = () =>
    deps.audit.append(after.tenantId, after.id, {
      at: recipient?.signedAt ?? deps.clock.now().toISOString(),
      action: 'recipient.signed',
      actor: { type: 'recipient', id: grant.recipientId, email: recipient?.email },
      ...meta,
      data: { documents: after.documents.map((d) => ({ id: d.id, sha256: d.sha256 })), ...data },
    });
  await (options.timer ? options.timer.time('ddb', append) : append());
  await deps.events?.publish(after.tenantId, 'recipient.signed', { envelopeId: after.id, recipientId: grant.recipientId });
  if (after.status !== 'completed') return notifyRecipients(deps, after);
  await deps.audit.append(after.tenantId, after.id, {
    at: after.completedAt ?? deps.clock.now().toISOString(),
    action: 'envelope.completed',
    actor: { type: 'system' },
    data: { documents: after.documents.map((d) => ({ id: d.id, sha256: d.sha256 })) },
  });
  await deps.events?.publish(after.tenantId, 'envelope.completed', { envelopeId: after.id, status: 'completed' });
  await announceCompletion(deps, after);
  return after;
};
