import { completionCertificate } from '../completion/get-completion-certificate.js';
import type { EnvelopeDeps } from '../envelope/deps.js';
import type { Envelope } from '../envelope/types.js';
import { updateEnvelope } from '../envelope/update-envelope.js';
import type { ArchiveStore } from './ports.js';
import { effectiveRetention, retentionUntil } from './retention-date.js';
import { renewBy } from './timestamp-chain.js';
import { archiveIndexPosition, type EnvelopeRetention } from './types.js';

export type ArchiveDeps = EnvelopeDeps & { readonly archive: ArchiveStore };

declare module '../envelope/effects.js' {
  interface EffectKinds {
    /** The envelope completed: lock its documents, certificate and audit export (ordered after the head signature). */
    archive: Record<never, never>;
  }
}

/**
 * The `archive` effect owed at completion (functions/worker/effects.ts); archiveEnvelope is
 * idempotent. A deployment without an archive store (unit tests) owes nothing here.
 */
export const archiveCompleted = async (deps: EnvelopeDeps, tenantId: string, envelopeId: string): Promise<void> => {
  const { archive } = deps;
  if (archive) await archiveEnvelope({ ...deps, archive }, tenantId, envelopeId);
};

export const auditExportKey = (tenantId: string, envelopeId: string, head: string) =>
  `tenants/${tenantId}/envelopes/${envelopeId}/audit-trail/${head}.json`;

/**
 * How long after completion a first archive not yet done is due for the `retention` sweep. Not at
 * once: the sweep would then find archives the completion's own effect is still doing, and two
 * first runs at once each write a version of the certificate of completion (both locked).
 */
export const ARCHIVE_GRACE_MS = 10 * 60_000;

/** Where a completed envelope waits in the archive index until its first archive is recorded. */
const pendingPosition = (envelope: Pick<Envelope, 'completedAt'>, now: Date): string =>
  new Date(Date.parse(envelope.completedAt ?? now.toISOString()) + ARCHIVE_GRACE_MS).toISOString();

/**
 * The archive of a completed envelope (issue 17): every final document, its certificate of
 * completion and an export of its audit trail are locked (S3 Object Lock) until the date of
 * the envelope's retention class, and the envelope records that date and the keys.
 *
 * Idempotent, so it can run as often as anyone likes: a second run finds the recorded
 * retention and only re-applies the locks (which never shorten); the export and certificate
 * are keyed by the audit-chain head, so a run that died before recording rebuilds the same
 * keys. Later revisions (timestamp renewals) are added to `lockedKeys` by whoever writes them.
 */
export const archiveEnvelope = async (deps: ArchiveDeps, tenantId: string, envelopeId: string): Promise<Envelope | undefined> => {
  const envelope = await deps.envelopes.get(tenantId, envelopeId);
  if (envelope?.status !== 'completed') return envelope;
  const now = deps.clock.now();
  let retention = envelope.retention;
  if (!retention) {
    // Indexed first (due a while after completion): an archive that fails or dies from here on is found by the `retention` sweep.
    await deps.archiveIndex?.put({ tenantId, envelopeId, renewBy: pendingPosition(envelope, now) });
    const tenant = await deps.tenants.get(tenantId);
    const r = retentionUntil(envelope, effectiveRetention(tenant), { now, floorDays: deps.lockFloorDays });
    const events = await deps.audit.list(tenantId, envelopeId);
    const head = events.at(-1)?.hash ?? 'empty';
    const exportKey = auditExportKey(tenantId, envelopeId, head);
    await deps.archive.putJson(exportKey, {
      format: 'kyso-audit-trail/v1',
      tenantId,
      envelopeId,
      head,
      exportedAt: now.toISOString(),
      events,
    });
    const certificate = await completionCertificate(deps, tenantId, envelopeId);
    retention = {
      kind: r.kind,
      years: r.class.years,
      from: r.from.toISOString(),
      retainUntil: r.until.toISOString(),
      atEnd: r.class.atEnd,
      mode: deps.lockMode ?? 'GOVERNANCE',
      lockedKeys: [...envelope.documents.map((d) => d.key), certificate.key, exportKey],
      lockedAt: now.toISOString(),
    };
  }
  // Documents renewed since the first run are locked too (their keys join the list).
  const keys = [...new Set([...retention.lockedKeys, ...envelope.documents.map((d) => d.key)])];
  const until = new Date(retention.retainUntil);
  for (const key of keys) {
    await deps.archive.lock(key, until);
    if (envelope.legalHold) await deps.archive.setLegalHold(key, true);
  }
  const recorded: EnvelopeRetention = { ...retention, lockedKeys: keys };
  const first = !envelope.retention;
  const due = (await renewBy(await Promise.all(envelope.documents.map((d) => deps.documents.get(d.key)))))?.toISOString();
  const { after } = await updateEnvelope(deps, tenantId, envelopeId, (current) => ({
    ...current,
    retention: {
      ...(current.retention ?? recorded),
      lockedKeys: [...new Set([...(current.retention?.lockedKeys ?? []), ...keys])],
      ...(due ? { renewBy: due } : {}),
    },
  }));
  // The renewal sweep's list: the envelope moves from its old position (completion, or the last renewBy) to the new one.
  const position = due ? archiveIndexPosition({ ...recorded, ...after.retention, renewBy: due }) : undefined;
  if (deps.archiveIndex && position) {
    const previous = envelope.retention?.renewBy ? archiveIndexPosition(envelope.retention) : pendingPosition(envelope, now);
    await deps.archiveIndex.put({ tenantId, envelopeId, renewBy: position }, previous);
  }
  if (first) {
    const events = await deps.audit.list(tenantId, envelopeId);
    if (!events.some((e) => e.action === 'envelope.archived')) {
      // Two first runs at once (the archive effect and the retention sweep, or an item performed
      // twice) both get here: one effect id per envelope makes the second append return the first's event.
      await deps.audit.append(
        tenantId,
        envelopeId,
        {
          at: now.toISOString(),
          action: 'envelope.archived',
          actor: { type: 'system' },
          data: {
            retainUntil: recorded.retainUntil,
            kind: recorded.kind,
            atEnd: recorded.atEnd,
            mode: recorded.mode,
            objects: keys.length,
          },
        },
        { effectId: `archive:${envelopeId}` },
      );
    }
  }
  return after;
};
