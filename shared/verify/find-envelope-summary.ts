import type { EnvelopeRepository } from '../envelope/ports.js';
import type { DocumentHashIndex } from './ports.js';
import type { EnvelopeSummary } from './types.js';

/**
 * The public summary of the envelope a file came from: title, parties' names, status and
 * completion time — never emails, fields or audit data. Only signed revisions are linked:
 * an unsigned upload (the same template may be sent by many tenants) says nothing about
 * any one envelope.
 */
export const findEnvelopeSummary = async (
  sha256: string,
  deps: { hashes: DocumentHashIndex; envelopes: EnvelopeRepository },
): Promise<EnvelopeSummary | undefined> => {
  const location = await deps.hashes.find(sha256);
  if (!location) return undefined;
  const envelope = await deps.envelopes.get(location.tenantId, location.envelopeId);
  const doc = envelope?.documents.find((d) => d.id === location.documentId);
  if (!envelope || !doc || doc.originalSha256 === sha256) return undefined;
  return {
    envelopeId: envelope.id,
    title: envelope.title,
    status: envelope.status,
    parties: [...envelope.recipients]
      .sort((a, b) => a.order - b.order)
      .map((r) => ({ name: r.name, ...(r.signedAt ? { signedAt: r.signedAt } : {}) })),
    ...(envelope.completedAt ? { completedAt: envelope.completedAt } : {}),
    currentRevision: doc.sha256 === sha256,
  };
};
