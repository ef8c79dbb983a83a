import type { Timestamper } from '../pki/cms.js';
import type { PlatformPki } from '../pki/platform-pki.js';
import type { Timer } from '../util/timer.js';
import { completeTransition } from './complete-envelope.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { audit, type Effect, webhook } from './effects.js';
import { addLongTermRevisions } from './long-term-revisions.js';
import { claimDueRecipients } from './notify-recipients.js';
import type { EnvelopeRepository } from './ports.js';
import { withRevisionLease } from './revision-lease.js';
import { assertCanSign, isComplete } from './routing.js';
import { timestamperFor } from './timestamper-for.js';
import { commitTransition, performAuditNow } from './transition.js';
import type { Envelope, EnvelopeDocument, Recipient, SigningGrant } from './types.js';

/**
 * The step every way of signing ends with: a signer's new revisions are committed together
 * with their status and everything the signature owes (audit event, webhook, the next
 * signers' links or the seal's turn, or — when they were the last — the completion revisions
 * (DSS + document timestamp, B-LTA) and the completion's effects) in one commit. The build and
 * the commit happen under the envelope's revision lease (shared/envelope/revision-lease.ts),
 * so signers of one envelope build one after another, each on the last committed revision,
 * and none builds for nothing. If another request committed meanwhile (a view, a link sent:
 * nothing that changes the documents), the built revisions are reused; if the documents did
 * change (only without the lease: it expired or was not obtained in time), `revise` runs again
 * on the newer envelope (or refuses: a pinned two-phase revision cannot be rebuilt, so it
 * throws document_changed instead).
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
    /** Request metadata and what the `recipient.signed` audit event says about how they signed. */
    readonly meta: RequestMeta;
    readonly data: Readonly<Record<string, unknown>> | (() => Readonly<Record<string, unknown>>);
    /** The envelope as already read by the caller (the first attempt uses it). */
    readonly current?: Envelope;
  },
): Promise<{ envelope: Envelope; attempts: number }> => {
  const pki = await deps.pki();
  // The tenant's TSAs, then the platform TSA (PAdES B-T on every signature): read once per request.
  const timestamper = await timer.time('ddb', () => timestamperFor(deps, pki, grant.tenantId, options.onTimestamp));
  // The document timestamps are not the signer's: their TSA is not reported as the signer's.
  const ltvTimestamper = options.onTimestamp ? await timestamperFor(deps, pki, grant.tenantId) : timestamper;
  /** Revisions built on a base (the documents' hashes): still valid after a conflict that did not touch the documents. */
  let built: { base: string; revised: SignerRevisions } | undefined;
  /** The completion revisions (DSS + document timestamp), built on the signer's revisions: reused the same way. */
  let completed: { base: string; documents: readonly EnvelopeDocument[] } | undefined;
  const baseOf = (e: Envelope) => e.documents.map((d) => d.sha256).join(',');
  const { before, after, attempts, items } = await withRevisionLease(deps.revisionLeases, grant.tenantId, grant.envelopeId, (turn) =>
    commitTransition(
      deps,
      grant.tenantId,
      grant.envelopeId,
      async (current) => {
        const recipient = assertCanSign(current, grant.recipientId);
        const base = baseOf(current);
        const revised = built?.base === base ? built.revised : await revise(current, { recipient, pki, timestamper, timer });
        built = { base, revised };
        const signedAtIso = options.signedAt.toISOString();
        const signedNow: Envelope = {
          ...current,
          recipients: current.recipients.map((r) =>
            r.id === recipient.id ? { ...r, status: 'signed' as const, signedAt: signedAtIso } : r,
          ),
          fields: current.fields.map((f) => (revised.values.has(f.id) ? { ...f, value: revised.values.get(f.id) } : f)),
        };
        const complete = isComplete(signedNow);
        const revisedBase = revised.documents.map((d) => d.sha256).join(',');
        if (complete && completed?.base !== revisedBase) {
          completed = {
            base: revisedBase,
            documents: await addLongTermRevisions(deps, current, revised.documents, { pki, timestamper: ltvTimestamper, timer }),
          };
        }
        const documents = complete ? [...(completed?.documents ?? [])] : [...revised.documents];
        const next: Envelope = complete
          ? { ...signedNow, documents, status: 'completed', completedAt: signedAtIso }
          : { ...signedNow, documents };
        const effects: Effect[] = [
          audit({
            at: signedAtIso,
            action: 'recipient.signed',
            actor: { type: 'recipient', id: recipient.id, email: recipient.email },
            ...options.meta,
            data: {
              documents: documents.map((d) => ({ id: d.id, sha256: d.sha256 })),
              ...(typeof options.data === 'function' ? options.data() : options.data),
            },
          }),
          webhook('recipient.signed', { envelopeId: current.id, recipientId: recipient.id }),
        ];
        if (complete) return completeTransition(next, effects, signedAtIso);
        const claimed = claimDueRecipients(next, deps.clock.now());
        return { next: claimed.next, effects: [...effects, ...claimed.effects] };
      },
      // After waiting for the lease, the envelope read before is stale: read it again (a conflict less).
      { time: (f) => timer.time('ddb', f), ...(options.current && !turn.waited ? { current: options.current } : {}) },
    ),
  );
  // The signer's audit events, after the lease is given back (the next signer is building meanwhile).
  await timer.time('ddb', () => performAuditNow(deps, items));
  // One PAdES signature per document the signer signed (the request's Signatures metric).
  deps.counters?.count('signatures', built?.revised.documents.length ?? 0);
  // Local fault injection (tests): the service dies right after the completing write, before any owed effect ran.
  if (after.status === 'completed' && before.status !== 'completed') deps.crashPoint?.('after-completion-commit');
  return { envelope: after, attempts };
};
