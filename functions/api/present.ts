import type { Envelope } from '../../shared/envelope/types.js';

/** The public shape of an envelope (what GET /v1/envelopes/{id} returns). */
export const presentEnvelope = (e: Envelope) => ({
  id: e.id,
  title: e.title,
  status: e.status,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
  ...(e.sentAt ? { sentAt: e.sentAt } : {}),
  ...(e.completedAt ? { completedAt: e.completedAt } : {}),
  recipients: e.recipients.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    order: r.order,
    status: r.status,
    ...(r.signedAt ? { signedAt: r.signedAt } : {}),
  })),
  documents: e.documents.map((d) => ({
    id: d.id,
    name: d.name,
    sha256: d.sha256,
    originalSha256: d.originalSha256,
    pageCount: d.pageCount,
    revisions: d.revisions,
  })),
  fields: e.fields.map((f) => ({
    id: f.id,
    recipientId: f.recipientId,
    documentId: f.documentId,
    type: f.type,
    page: f.page,
    x: f.x,
    y: f.y,
    width: f.width,
    height: f.height,
    required: f.required,
    ...(f.label ? { label: f.label } : {}),
    ...(f.value !== undefined ? { value: f.value } : {}),
  })),
});
