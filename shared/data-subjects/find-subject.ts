import type { EnvelopeDeps } from '../envelope/deps.js';
import type { AuditEvent, Envelope, Recipient } from '../envelope/types.js';
import type { ArchiveStore } from '../retention/ports.js';
import { isAboutSubject, isSubject } from './subject.js';
import type { Subject } from './types.js';

export type FindDeps = Pick<EnvelopeDeps, 'envelopes' | 'audit'> & { readonly archive?: Pick<ArchiveStore, 'keysUnder'> };

/** An envelope with a recipient record of the person: what the listing alone tells (no audit events, no S3). */
export interface SubjectMatch {
  readonly envelope: Envelope;
  readonly recipients: readonly Recipient[];
}

/** Everything one envelope holds about the person. */
export interface SubjectEnvelope extends SubjectMatch {
  readonly events: readonly AuditEvent[];
  /** Store keys of the identity images they submitted (ID card sides, selfie), per recipient and attempt. */
  readonly identityImages: readonly string[];
}

/** Where shared/identity/prove-by-document.ts stores a recipient's images. */
export const identityImagePrefix = (tenantId: string, envelopeId: string, recipientId: string) =>
  `identity/${tenantId}/${envelopeId}/${recipientId}/`;

/**
 * Every envelope of the tenant with a recipient record of the person (or erased for them).
 * Tenant-scoped by construction: only the tenant's own partition is read. The tenant's envelopes
 * are read page by page (no index per identifier: a person's email may have been changed or
 * erased since; fine for the tens of thousands of envelopes a tenant has, ARCHITECTURE.md
 * "Known limits"). Cheap: what an export's size is judged on before anything is assembled.
 */
export const matchSubject = async (
  deps: Pick<FindDeps, 'envelopes'>,
  tenantId: string,
  subject: Subject,
  /** The subject's commitment: an envelope erased for them before (or half-erased by a request that died) is found by it. */
  commitment: string,
): Promise<SubjectMatch[]> => {
  const found: SubjectMatch[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.envelopes.list(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const envelope of page.items) {
      const erased = envelope.erasure?.subjects.includes(commitment) ? new Set(envelope.erasure.recipientIds) : new Set<string>();
      const recipients = envelope.recipients.filter((r) => erased.has(r.id) || isSubject(subject, envelope, r));
      if (recipients.length) found.push({ envelope, recipients });
    }
    cursor = page.cursor;
  } while (cursor);
  return found;
};

/** The audit events about the person and their stored identity images, per matched envelope. */
export const describeMatches = async (
  deps: FindDeps,
  tenantId: string,
  subject: Subject,
  matched: readonly SubjectMatch[],
): Promise<SubjectEnvelope[]> => {
  const found: SubjectEnvelope[] = [];
  for (const { envelope, recipients } of matched) {
    const ids = new Set(recipients.map((r) => r.id));
    const events = (await deps.audit.list(tenantId, envelope.id)).filter((e) => isAboutSubject(subject, ids, e));
    const identityImages: string[] = [];
    for (const r of recipients) {
      if (deps.archive) identityImages.push(...(await deps.archive.keysUnder(identityImagePrefix(tenantId, envelope.id, r.id))));
    }
    found.push({ envelope, recipients, events, identityImages });
  }
  return found;
};

/** Everything the tenant holds about the person: matchSubject, then describeMatches. */
export const findSubject = async (deps: FindDeps, tenantId: string, subject: Subject, commitment: string): Promise<SubjectEnvelope[]> =>
  describeMatches(deps, tenantId, subject, await matchSubject(deps, tenantId, subject, commitment));
