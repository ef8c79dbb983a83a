import type { EnvelopeDeps } from '../envelope/deps.js';
import { addLongTermRevisions } from '../envelope/long-term-revisions.js';
import { timestamperFor } from '../envelope/timestamper-for.js';
import type { EnvelopeDocument } from '../envelope/types.js';
import { updateEnvelope } from '../envelope/update-envelope.js';
import { AppError } from '../errors.js';
import { parseCertificate } from '../pki/certificate.js';
import { parseTimestampToken } from '../pki/timestamp-parse.js';
import { sha256 } from '../util/bytes.js';
import { type ArchiveDeps, archiveEnvelope } from './archive-envelope.js';
import { endRetention } from './end-retention.js';
import { documentTimestamps } from './timestamp-chain.js';

const DAY = 86_400_000;
export const DEFAULT_RENEWAL_MARGIN_DAYS = 365;

export interface RenewalOutcome {
  readonly renewed: readonly { documentId: string; previousExpiresAt: string; expiresAt: string }[];
}

/** Earliest notAfter among the certificates a timestamp token carries. */
const tokenExpiry = (token: Uint8Array): Date =>
  new Date(Math.min(...parseTimestampToken(token).certificates.map((c) => parseCertificate(c).notAfter.value.getTime())));

/**
 * Keeps B-LTA alive (issue 17): every completed document whose last document timestamp relies
 * on a certificate expiring within the margin gets one more revision, appended like every other
 * (earlier bytes untouched), with a fresh DSS (every certificate in the file, current CRLs) and
 * a new document timestamp over all of it, which covers the old timestamp and its validation
 * data while they can still be checked.
 *
 * A renewal only helps if the new timestamp outlives the old one: the timestamp source is asked
 * once first and, if its certificates expire no later, nothing is written and the envelope is
 * reported (the TSA certificate must be renewed; see infra/README.md).
 */
export const renewEnvelopeTimestamps = async (
  deps: ArchiveDeps,
  tenantId: string,
  envelopeId: string,
  options: { readonly marginDays?: number } = {},
): Promise<RenewalOutcome> => {
  const envelope = await deps.envelopes.get(tenantId, envelopeId);
  if (envelope?.status !== 'completed') return { renewed: [] };
  const now = deps.clock.now();
  const dueBefore = new Date(now.getTime() + (options.marginDays ?? deps.timestampRenewalMarginDays ?? DEFAULT_RENEWAL_MARGIN_DAYS) * DAY);
  const due: { doc: EnvelopeDocument; expiresAt: Date }[] = [];
  for (const doc of envelope.documents) {
    const last = (await documentTimestamps(await deps.documents.get(doc.key))).at(-1);
    if (last && last.expiresAt <= dueBefore) due.push({ doc, expiresAt: last.expiresAt });
  }
  if (due.length === 0) return { renewed: [] };

  const pki = await deps.pki();
  const timestamper = await timestamperFor(deps, pki, tenantId);
  const oldest = new Date(Math.min(...due.map((d) => d.expiresAt.getTime())));
  const offered = tokenExpiry(await timestamper(sha256('kyso-timestamp-renewal-probe')));
  if (offered <= oldest) {
    throw new AppError(
      'invalid_state',
      `The timestamp source's certificates expire ${offered.toISOString()}, no later than the timestamps to renew (${oldest.toISOString()}).`,
    );
  }
  const revised = await addLongTermRevisions(
    deps,
    envelope,
    due.map((d) => d.doc),
    { pki, timestamper, fieldName: (doc) => `kyso-document-timestamp-${doc.revisions + 1}` },
  );
  const byId = new Map(revised.map((d, i) => [d.id, { next: d, previous: due[i]?.doc as EnvelopeDocument }]));
  await updateEnvelope(deps, tenantId, envelopeId, (current) => ({
    ...current,
    documents: current.documents.map((d) => {
      const r = byId.get(d.id);
      // Only over the revision it was built on: anything else would drop a newer revision.
      return r && r.previous.sha256 === d.sha256 ? r.next : d;
    }),
  }));
  const renewed = [];
  for (const { doc, expiresAt } of due) {
    const next = byId.get(doc.id)?.next;
    if (!next) continue;
    const last = (await documentTimestamps(await deps.documents.get(next.key))).at(-1);
    const entry = { documentId: doc.id, previousExpiresAt: expiresAt.toISOString(), expiresAt: (last?.expiresAt ?? offered).toISOString() };
    renewed.push(entry);
    await deps.audit.append(tenantId, envelopeId, {
      at: now.toISOString(),
      action: 'document.timestamp_renewed',
      actor: { type: 'system' },
      data: { ...entry, previousSha256: doc.sha256, sha256: next.sha256 },
    });
  }
  // The new revisions join the archive: locked until the same date, held if the envelope is, re-indexed by their new expiry.
  await archiveEnvelope(deps, tenantId, envelopeId);
  return { renewed };
};

/** Runs every due archive job of the `retention` sweep: unfinished archives first, then the end of retention (end-retention.ts), then timestamp renewals. */
export const runRetentionSweep = async (deps: EnvelopeDeps): Promise<{ processed: number; acted: number; failed: number }> => {
  const { archive, archiveIndex } = deps;
  let processed = 0;
  let acted = 0;
  let failed = 0;
  if (!archive || !archiveIndex) return { processed, acted, failed };
  const archiveDeps: ArchiveDeps = { ...deps, archive };
  const now = deps.clock.now();
  const until = new Date(now.getTime() + (deps.timestampRenewalMarginDays ?? DEFAULT_RENEWAL_MARGIN_DAYS) * DAY);
  let cursor: string | undefined;
  do {
    const page = await archiveIndex.due(until, cursor);
    cursor = page.cursor;
    for (const entry of page.items) {
      processed++;
      try {
        const envelope = await deps.envelopes.get(entry.tenantId, entry.envelopeId);
        if (!envelope) {
          await archiveIndex.remove(entry);
          continue;
        }
        if (!envelope.retention) {
          await archiveEnvelope(archiveDeps, entry.tenantId, entry.envelopeId);
          acted++;
        }
        const ended = await endRetention(archiveDeps, entry.tenantId, entry.envelopeId, entry.renewBy);
        if (ended) {
          acted++;
          continue;
        }
        const { renewed } = await renewEnvelopeTimestamps(archiveDeps, entry.tenantId, entry.envelopeId);
        if (renewed.length) acted++;
      } catch {
        failed++;
      }
    }
  } while (cursor);
  return { processed, acted, failed };
};
