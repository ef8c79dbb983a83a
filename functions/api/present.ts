import { z } from '@hono/zod-openapi';
import type { Envelope } from '../../shared/envelope/types.js';
import type { LabourContract } from '../../shared/labour/types.js';
import { LabourContractViewSchema } from './labour-schemas.js';

/** A labour contract's terms and registration; `nationalId` also at the top level once the platform gave it. */
const presentLabourContract = (c: LabourContract) => {
  const r = c.registration;
  return {
    ...(r?.nationalId ? { nationalId: r.nationalId } : {}),
    labourContract: {
      act: c.act,
      ...c.terms,
      parties: c.parties,
      ...(c.relatesTo ? { relatesTo: c.relatesTo } : {}),
      ...(c.effectiveDate ? { effectiveDate: c.effectiveDate } : {}),
      ...(c.summary ? { summary: c.summary } : {}),
      ...(c.conversion ? { conversion: c.conversion } : {}),
      ...(c.terminatedBy ? { terminatedBy: c.terminatedBy } : {}),
      ...(c.identification ? { identification: c.identification } : {}),
      ...(r
        ? {
            registration: {
              status: r.status,
              owedSince: r.owedSince,
              attempts: r.attempts,
              ...(r.nationalId ? { nationalId: r.nationalId, registeredAt: r.registeredAt } : {}),
              ...(r.reason ? { reason: r.reason } : {}),
              ...(r.nextAttemptAt && r.status !== 'registered' ? { nextAttemptAt: r.nextAttemptAt } : {}),
              ...(r.lastError && r.status !== 'registered' ? { lastError: r.lastError } : {}),
              late: !!r.lateSince,
              overdue: !!r.overdueSince,
              ...(r.overdueReason ? { overdueReason: r.overdueReason } : {}),
            },
          }
        : {}),
    },
  };
};

const ts = z.string().openapi({ format: 'date-time', example: '2026-12-01T09:30:00.000Z' });

/** The envelope as the API returns it: the presenter below is typed by this schema, and /openapi.json shows it. */
export const EnvelopeSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    status: z.enum(['draft', 'sent', 'completed', 'declined', 'voided', 'expired']),
    createdAt: ts,
    updatedAt: ts,
    sentAt: ts.optional(),
    completedAt: ts.optional(),
    expiresAt: ts.optional(),
    voidedAt: ts.optional(),
    declinedAt: ts.optional(),
    expiredAt: ts.optional(),
    statusReason: z.string().optional().openapi({ description: 'Why it was voided or declined' }),
    contractKind: z.enum(['labourContract', 'serviceContract', 'other']).optional().openapi({ description: 'Decides the retention class' }),
    contractEndsAt: z.string().optional().openapi({ description: 'The contract’s end date, where retention counts from it' }),
    retention: z
      .object({
        kind: z.enum(['labourContract', 'serviceContract', 'other']),
        retainUntil: ts.openapi({ description: 'Object Lock retention of every archived object ends then' }),
        atEnd: z.enum(['delete', 'review']),
        mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
        lockedObjects: z.number().int(),
        timestampsRenewBy: ts.optional().openapi({ description: 'When the documents’ last document timestamp is renewed' }),
        ended: z
          .object({ at: ts, action: z.enum(['delete', 'review']) })
          .optional()
          .openapi({ description: 'The retention period ran out and the sweep acted on atEnd: deleted, or due for review' }),
      })
      .optional()
      .openapi({ description: 'Set once the completed envelope is archived (locked)' }),
    legalHold: z
      .object({ reason: z.string(), at: ts })
      .optional()
      .openapi({ description: 'Nothing of it may be deleted or erased while set' }),
    senderEmail: z.string().optional(),
    reminders: z.object({ delayHours: z.number(), intervalHours: z.number(), max: z.number().int() }).optional(),
    nationalId: z.string().optional().openapi({ description: "A labour contract's identifier on the national platform, once registered" }),
    labourContract: LabourContractViewSchema.optional(),
    language: z.enum(['vi', 'en']).openapi({ description: 'Signer page, messages and stamps' }),
    recipients: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        email: z.string().openapi({ description: "'' for a phone-only recipient or a seal" }),
        phone: z.string().optional().openapi({ description: 'E.164' }),
        channels: z.array(z.enum(['email', 'sms', 'zalo'])).optional(),
        identity: z
          .object({
            required: z.boolean(),
            idNumber: z.string().optional(),
            evidence: z
              .record(z.string(), z.unknown())
              .optional()
              .openapi({ description: 'Proof of identity once given (provider, method, verifiedAt, …)' }),
          })
          .optional(),
        signatureLevel: z.enum(['electronic', 'digital']).openapi({ description: 'digital: must sign with a licensed CA certificate' }),
        role: z.enum(['signer', 'approver', 'viewer', 'seal']),
        delivery: z.enum(['message', 'embedded']).openapi({ description: 'embedded: reached only through embedded links, never messaged' }),
        order: z.number().int(),
        status: z.enum(['pending', 'notified', 'viewed', 'signed', 'approved', 'declined']),
        signedAt: ts.optional(),
        approvedAt: ts.optional(),
        declinedAt: ts.optional(),
        declineReason: z.string().optional(),
        auth: z
          .union([
            z.object({ otp: z.literal(true), otpChannel: z.enum(['email', 'sms', 'zalo']).optional() }),
            z.object({ accessCode: z.literal(true) }),
          ])
          .optional()
          .openapi({ description: 'The extra check asked of this recipient (the access code itself is never returned)' }),
        remindersSent: z.number().int().optional(),
      }),
    ),
    documents: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        sha256: z.string().openapi({ description: 'SHA-256 of the current revision' }),
        originalSha256: z.string().openapi({ description: 'SHA-256 of the uploaded bytes' }),
        pageCount: z.number().int(),
        revisions: z.number().int(),
      }),
    ),
    fields: z.array(
      z.object({
        id: z.string(),
        recipientId: z.string(),
        documentId: z.string(),
        type: z.enum(['signature', 'initials', 'text', 'date', 'checkbox']),
        page: z.number().int(),
        x: z.number(),
        y: z.number(),
        width: z.number(),
        height: z.number(),
        required: z.boolean(),
        label: z.string().optional(),
        value: z.string().optional(),
      }),
    ),
  })
  .openapi('Envelope');
export type EnvelopeView = z.infer<typeof EnvelopeSchema>;

/** The public shape of an envelope (what GET /v1/envelopes/{id} returns). */
export const presentEnvelope = (e: Envelope): EnvelopeView => ({
  id: e.id,
  title: e.title,
  status: e.status,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
  ...(e.sentAt ? { sentAt: e.sentAt } : {}),
  ...(e.completedAt ? { completedAt: e.completedAt } : {}),
  ...(e.expiresAt ? { expiresAt: e.expiresAt } : {}),
  ...(e.voidedAt ? { voidedAt: e.voidedAt } : {}),
  ...(e.declinedAt ? { declinedAt: e.declinedAt } : {}),
  ...(e.expiredAt ? { expiredAt: e.expiredAt } : {}),
  ...(e.statusReason ? { statusReason: e.statusReason } : {}),
  ...(e.senderEmail ? { senderEmail: e.senderEmail } : {}),
  ...(e.reminders ? { reminders: e.reminders } : {}),
  ...(e.labourContract ? presentLabourContract(e.labourContract) : {}),
  language: e.language ?? 'vi',
  ...(e.contractKind ? { contractKind: e.contractKind } : {}),
  ...(e.contractEndsAt ? { contractEndsAt: e.contractEndsAt } : {}),
  ...(e.retention
    ? {
        retention: {
          kind: e.retention.kind,
          retainUntil: e.retention.retainUntil,
          atEnd: e.retention.atEnd,
          mode: e.retention.mode,
          lockedObjects: e.retention.lockedKeys.length,
          ...(e.retention.renewBy ? { timestampsRenewBy: e.retention.renewBy } : {}),
          ...(e.retention.ended ? { ended: e.retention.ended } : {}),
        },
      }
    : {}),
  ...(e.legalHold ? { legalHold: { reason: e.legalHold.reason, at: e.legalHold.at } } : {}),
  recipients: e.recipients.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    ...(r.phone ? { phone: r.phone } : {}),
    ...(r.channels ? { channels: [...r.channels] } : {}),
    ...(r.identity
      ? {
          identity: {
            required: r.identity.required,
            ...(r.identity.idNumber ? { idNumber: r.identity.idNumber } : {}),
            ...(r.identity.evidence ? { evidence: { ...r.identity.evidence } } : {}),
          },
        }
      : {}),
    signatureLevel: r.signatureLevel ?? 'electronic',
    role: r.role,
    delivery: r.delivery ?? 'message',
    order: r.order,
    status: r.status,
    ...(r.signedAt ? { signedAt: r.signedAt } : {}),
    ...(r.approvedAt ? { approvedAt: r.approvedAt } : {}),
    ...(r.declinedAt ? { declinedAt: r.declinedAt, declineReason: r.declineReason } : {}),
    ...(r.auth
      ? {
          auth: r.auth.otp
            ? { otp: true as const, ...(r.auth.otpChannel ? { otpChannel: r.auth.otpChannel } : {}) }
            : { accessCode: true as const },
        }
      : {}),
    ...(r.remindersSent ? { remindersSent: r.remindersSent } : {}),
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
