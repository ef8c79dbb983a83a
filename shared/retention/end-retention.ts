import { eraseEnvelope } from '../data-subjects/erase-subject.js';
import { identityImagePrefix } from '../data-subjects/find-subject.js';
import { audit } from '../envelope/effects.js';
import { commitTransition } from '../envelope/transition.js';
import type { ArchiveDeps } from './archive-envelope.js';
import { archiveIndexPosition } from './types.js';

/** The pseudo-request the end-of-retention erasure records (envelope.erasure, data_subject.erased): not a person's request. */
export const RETENTION_END_REQUEST = { id: 'retention-end', commitment: 'retention-end' } as const;

/**
 * Acts on a completed envelope's `atEnd` once its retention date has passed (issue 17), unless
 * it is under legal hold:
 *
 * - first a conditional commit records `retention.ended` and owes `envelope.retention_ended`
 *   (audited once: a retry finds it recorded);
 * - `review`: nothing is deleted; the envelope is listed for review (GET /v1/envelopes?retention=review)
 *   and leaves the index's retention position (only timestamp renewals keep it there);
 * - `delete`: the data-subject erasure runs over every recipient (eraseEnvelope: the archived
 *   objects, all versions, whose Object Lock has expired; identity images; the audit events'
 *   personal data, hashes kept so the chain still verifies; the recipient records), then the
 *   index entry goes. S3 refuses a deletion while a lock or hold still applies: the run fails,
 *   the entry stays and the next sweep retries (every step is idempotent).
 */
export const endRetention = async (
  deps: ArchiveDeps,
  tenantId: string,
  envelopeId: string,
  /** The index position the sweep found the envelope at. */
  indexedAt?: string,
): Promise<'delete' | 'review' | undefined> => {
  let envelope = await deps.envelopes.get(tenantId, envelopeId);
  const now = deps.clock.now();
  const at = now.toISOString();
  const due = (e: typeof envelope) =>
    e?.status === 'completed' && e.retention && !e.legalHold && new Date(e.retention.retainUntil) <= now ? e.retention : undefined;
  const retention = due(envelope);
  if (!envelope || !retention) return undefined;
  if (!retention.ended) {
    const { after } = await commitTransition(deps, tenantId, envelopeId, (current) => {
      const r = due(current);
      if (!r || r.ended) return undefined;
      return {
        next: { ...current, retention: { ...r, ended: { at, action: r.atEnd } } },
        effects: [
          audit({
            at,
            action: 'envelope.retention_ended',
            actor: { type: 'system' },
            data: { kind: r.kind, retainUntil: r.retainUntil, atEnd: r.atEnd },
          }),
        ],
      };
    });
    envelope = after;
  }
  const ended = due(envelope)?.ended;
  if (!ended) return undefined;
  const position = indexedAt ?? archiveIndexPosition({ ...retention, ended: undefined });
  if (ended.action === 'review') {
    const renewBy = archiveIndexPosition({ ...retention, ended });
    if (renewBy) await deps.archiveIndex?.put({ tenantId, envelopeId, renewBy }, position);
    return 'review';
  }
  if (!deps.dataSubjects) return undefined;
  const identityImages: string[] = [];
  for (const r of envelope.recipients)
    identityImages.push(...(await deps.archive.keysUnder(identityImagePrefix(tenantId, envelopeId, r.id))));
  const found = { envelope, recipients: envelope.recipients, events: await deps.audit.list(tenantId, envelopeId), identityImages };
  const erased = await eraseEnvelope(
    { ...deps, dataSubjects: deps.dataSubjects },
    found,
    RETENTION_END_REQUEST,
    {},
    await deps.tenants.get(tenantId),
  );
  if (erased.action !== 'erased') return undefined;
  if (position) await deps.archiveIndex?.remove({ tenantId, envelopeId, renewBy: position });
  return 'delete';
};
