import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import type { Envelope } from '../envelope/types.js';
import { updateEnvelope } from '../envelope/update-envelope.js';
import { AppError } from '../errors.js';
import type { ArchiveStore } from './ports.js';

export const envelopePrefix = (tenantId: string, envelopeId: string) => `tenants/${tenantId}/envelopes/${envelopeId}/`;

/**
 * Legal hold (issue 17): recorded on the envelope first (so every deletion path — data-subject
 * erasure, end of retention — refuses from that instant), then S3 legal hold on every object
 * of the envelope (all revisions, certificates, audit exports). Clearing reverses both. Each
 * change is an audit event. Re-running after a crash re-applies the object holds.
 */
export const changeLegalHold = async (
  deps: EnvelopeDeps & { readonly archive: ArchiveStore },
  tenantId: string,
  envelopeId: string,
  change: { readonly on: true; readonly reason: string } | { readonly on: false },
  meta: RequestMeta,
): Promise<{ envelope: Envelope; objects: number }> => {
  const now = deps.clock.now().toISOString();
  const { after, before } = await updateEnvelope(deps, tenantId, envelopeId, (current) => {
    if (change.on && current.legalHold) throw new AppError('legal_hold_exists', 'The envelope is already under legal hold.');
    if (!change.on && !current.legalHold) throw new AppError('no_legal_hold', 'The envelope has no legal hold.');
    if (change.on) return { ...current, legalHold: { reason: change.reason, at: now, by: tenantId } };
    const { legalHold: _cleared, ...rest } = current;
    return rest;
  });
  const keys = await deps.archive.keysUnder(envelopePrefix(tenantId, envelopeId));
  for (const key of keys) await deps.archive.setLegalHold(key, change.on);
  await deps.audit.append(tenantId, envelopeId, {
    at: now,
    action: change.on ? 'envelope.legal_hold_set' : 'envelope.legal_hold_cleared',
    actor: { type: 'tenant', id: tenantId },
    ...meta,
    data: { objects: keys.length, ...(change.on ? { reason: change.reason } : { reason: before.legalHold?.reason }) },
  });
  return { envelope: after, objects: keys.length };
};

/** Every deletion path calls this first. */
export const assertDeletable = (envelope: Envelope): void => {
  if (envelope.legalHold) throw new AppError('legal_hold', `Envelope ${envelope.id} is under legal hold: nothing of it may be deleted.`);
};
