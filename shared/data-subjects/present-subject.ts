import type { EnvelopeDocument } from '../envelope/types.js';
import type { SubjectEnvelope, SubjectMatch } from './find-subject.js';

/** A link to one document they signed (presigned, short-lived), for the export. */
export interface DocumentLink {
  readonly id: string;
  readonly name: string;
  readonly sha256: string;
  readonly url: string;
  readonly expiresAt: string;
}

/** A document they signed, inside an asynchronous export's archive (`path` in the ZIP instead of a link). */
export interface ArchivedDocument {
  readonly id: string;
  readonly name: string;
  readonly sha256: string;
  readonly path: string;
}

/**
 * One envelope as the person sees it in an access answer or an export: their recipient records
 * (with the identity evidence, never the images), the values they typed, a labour contract's
 * employee terms when they are the employee, the audit events about them (in full, with the
 * hashes that chain them), and the keys of their stored identity images.
 */
export const presentSubjectEnvelope = <D extends DocumentLink | ArchivedDocument = DocumentLink>(
  found: SubjectEnvelope,
  documents?: readonly D[],
) => {
  const { envelope } = found;
  const ids = new Set(found.recipients.map((r) => r.id));
  const lc = envelope.labourContract;
  return {
    id: envelope.id,
    title: envelope.title,
    status: envelope.status,
    createdAt: envelope.createdAt,
    ...(envelope.sentAt ? { sentAt: envelope.sentAt } : {}),
    ...(envelope.completedAt ? { completedAt: envelope.completedAt } : {}),
    ...(envelope.retention ? { retainUntil: envelope.retention.retainUntil, retentionKind: envelope.retention.kind } : {}),
    legalHold: !!envelope.legalHold,
    ...(envelope.erasure ? { erasedAt: envelope.erasure.at } : {}),
    recipients: found.recipients.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      ...(r.phone ? { phone: r.phone } : {}),
      role: r.role,
      order: r.order,
      status: r.status,
      ...(r.viewedAt ? { viewedAt: r.viewedAt } : {}),
      ...(r.signedAt ? { signedAt: r.signedAt } : {}),
      ...(r.approvedAt ? { approvedAt: r.approvedAt } : {}),
      ...(r.declinedAt ? { declinedAt: r.declinedAt } : {}),
      ...(r.declineReason ? { declineReason: r.declineReason } : {}),
      ...(r.identity ? { identity: r.identity } : {}),
      ...(r.erasedAt ? { erasedAt: r.erasedAt } : {}),
    })),
    fieldValues: envelope.fields
      .filter((f) => ids.has(f.recipientId) && f.value !== undefined)
      .map((f) => ({ id: f.id, type: f.type, ...(f.label ? { label: f.label } : {}), value: f.value as string })),
    ...(lc?.parties.employeeRecipientId && ids.has(lc.parties.employeeRecipientId) ? { labourContractEmployee: lc.terms.employee } : {}),
    auditEvents: found.events.map((e) => ({ ...e })),
    identityImages: [...found.identityImages],
    ...(documents ? { documents: documents.map((d) => ({ ...d })) } : {}),
  };
};

export type PresentedSubjectEnvelope = ReturnType<typeof presentSubjectEnvelope<DocumentLink>>;

/** The documents they signed: every document of a completed envelope, or of one they signed or approved before it ended. */
export const signedDocuments = (found: SubjectMatch): readonly EnvelopeDocument[] => {
  if (found.envelope.erasure && found.envelope.status !== 'completed') return [];
  const signed = found.envelope.status === 'completed' || found.recipients.some((r) => r.signedAt || r.approvedAt);
  return signed ? found.envelope.documents : [];
};
