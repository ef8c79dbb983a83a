import { erasePersonalData, hasPersonalData, isErasable } from '../audit/personal-data.js';
import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import { audit } from '../envelope/effects.js';
import { commitTransition } from '../envelope/transition.js';
import type { Envelope, Recipient } from '../envelope/types.js';
import { keptReasons } from '../retention/kept-reasons.js';
import { envelopePrefix } from '../retention/legal-hold.js';
import type { ArchiveStore } from '../retention/ports.js';
import type { SubjectEnvelope } from './find-subject.js';
import type { DataSubjectStore, EnvelopeErasure, KeptReason } from './types.js';

export type EraseDeps = EnvelopeDeps & {
  readonly archive: Pick<ArchiveStore, 'keysUnder' | 'deleteAllVersions'>;
  readonly dataSubjects: DataSubjectStore;
};

/** What an erased recipient record still shows (the role, order and status stay: the envelope's history needs them). */
export const ERASED_NAME = '[đã xóa]';

const eraseRecipient = (r: Recipient, at: string): Recipient => {
  const { phone: _p, linkHashes: _l, declineReason: _d, identity, channels: _c, ...rest } = r;
  return { ...rest, name: ERASED_NAME, email: '', erasedAt: at, ...(identity ? { identity: { required: identity.required } } : {}) };
};

/** The envelope without the person: recipient records, the values they typed, a labour contract's employee. */
const pseudonymise = (e: Envelope, ids: ReadonlySet<string>, at: string, requestId: string, commitment: string): Envelope => {
  const lc = e.labourContract;
  const employeeErased = !!lc?.parties.employeeRecipientId && ids.has(lc.parties.employeeRecipientId);
  return {
    ...e,
    recipients: e.recipients.map((r) => (ids.has(r.id) && !r.erasedAt ? eraseRecipient(r, at) : r)),
    fields: e.fields.map((f) => {
      if (!ids.has(f.recipientId) || f.value === undefined) return f;
      const { value: _v, ...rest } = f;
      return rest;
    }),
    ...(lc && employeeErased
      ? { labourContract: { ...lc, terms: { ...lc.terms, employee: { name: ERASED_NAME, idNumber: '', dateOfBirth: '', address: '' } } } }
      : {}),
    erasure: {
      at: e.erasure?.at ?? at,
      requestIds: [...new Set([...(e.erasure?.requestIds ?? []), requestId])],
      subjects: [...new Set([...(e.erasure?.subjects ?? []), commitment])],
      recipientIds: [...new Set([...(e.erasure?.recipientIds ?? []), ...ids])],
    },
  };
};

/**
 * Erases what the tenant need not keep about the person (PDP Law 91/2025, issue 17), envelope by
 * envelope, and says what it kept and why:
 *
 * - identity images (ID card, selfie under `identity/`) are deleted wherever there is no legal
 *   hold — the evidence that stays (provider, transaction, image hashes) proves the check;
 * - an envelope under legal hold, a completed one (its retention class: the law and the date),
 *   or one still out for signing is kept as it is;
 * - any other (draft, declined, voided, expired: never completed, no legal effect) loses the
 *   person: the audit events' personal data (v2/v3 events: the hashes stay, the chain still
 *   verifies), its documents (which carry their name), and last their recipient records.
 *
 * Idempotent and safe to retry after a crash: the envelope is changed last by a conditional
 * commit that records the subject's commitment, so a retry still finds it (findSubject) and
 * finishes; deleting what is gone and erasing what is erased do nothing.
 */
export const eraseEnvelope = async (
  deps: EraseDeps,
  found: SubjectEnvelope,
  request: { readonly id: string; readonly commitment: string },
  meta: RequestMeta,
  tenant: Parameters<typeof keptReasons>[1],
): Promise<EnvelopeErasure> => {
  const { envelope } = found;
  const tenantId = envelope.tenantId;
  const now = deps.clock.now();
  const at = now.toISOString();
  const kept: KeptReason[] = keptReasons(envelope, tenant, now);
  let identityImages = 0;
  if (!envelope.legalHold) {
    for (const key of found.identityImages) {
      await deps.archive.deleteAllVersions(key);
      identityImages++;
    }
  }
  const ids = new Set(found.recipients.map((r) => r.id));
  const base = { envelopeId: envelope.id, title: envelope.title, status: envelope.status };
  if (kept.length) {
    await deps.audit.append(tenantId, envelope.id, {
      at,
      action: 'data_subject.erasure_kept',
      actor: { type: 'tenant', id: tenantId },
      ...meta,
      data: { requestId: request.id, recipientIds: [...ids], identityImages, reasons: kept.map((k) => k.code) },
    });
    return { ...base, action: 'kept', erased: { recipients: 0, auditEvents: 0, identityImages, documents: 0 }, kept };
  }

  let auditEvents = 0;
  let legacy = 0;
  for (const event of found.events) {
    if (!hasPersonalData(event) || event.erasedAt) continue;
    if (!isErasable(event)) {
      legacy++;
      continue;
    }
    if (await deps.dataSubjects.eraseAuditEvent(tenantId, envelope.id, erasePersonalData(event, at))) auditEvents++;
  }
  let documents = 0;
  for (const key of await deps.archive.keysUnder(envelopePrefix(tenantId, envelope.id))) {
    await deps.archive.deleteAllVersions(key);
    documents++;
  }
  const { after } = await commitTransition(deps, tenantId, envelope.id, (current) => {
    // Re-judged on the state being replaced: a legal hold or completion that arrived meanwhile wins (the commit is conditional).
    if (keptReasons(current, tenant, now).length) return undefined;
    return {
      next: pseudonymise(current, ids, at, request.id, request.commitment),
      effects: [
        audit({
          at,
          action: 'data_subject.erased',
          actor: { type: 'tenant', id: tenantId },
          ...meta,
          data: { requestId: request.id, recipientIds: [...ids], auditEvents, identityImages, documents },
        }),
      ],
    };
  });
  const late = keptReasons(after, tenant, now);
  if (late.length) return { ...base, action: 'kept', erased: { recipients: 0, auditEvents, identityImages, documents }, kept: late };
  const recipients = after.recipients.filter((r) => ids.has(r.id) && r.erasedAt).length;
  const stillKept: KeptReason[] = legacy
    ? [
        {
          code: 'audit_v1',
          message: {
            vi: `${legacy} sự kiện nhật ký cũ (trước phiên bản 2) được băm cùng dữ liệu cá nhân: xóa sẽ phá chuỗi băm nên được giữ lại.`,
            en: `${legacy} audit events written before version 2 hash their personal data directly: erasing it would break the chain, so they are kept.`,
          },
        },
      ]
    : [];
  return { ...base, action: 'erased', erased: { recipients, auditEvents, identityImages, documents }, kept: stillKept };
};
