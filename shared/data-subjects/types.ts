import type { AuditEvent } from '../envelope/types.js';

/**
 * Personal-data requests (PDP Law 91/2025/QH15 and its decree, issue 17): a tenant — the
 * controller — answers a person's request to see, take away or erase what it holds about them.
 */
export type SubjectKind = 'email' | 'phone' | 'idNumber';

/** A person, by one identifier, normalised as the rest of the code stores it (email lower case, phone E.164, CCCD digits). */
export interface Subject {
  readonly kind: SubjectKind;
  readonly value: string;
}

export type RequestKind = 'access' | 'export' | 'erase';

/** Who asked: an API key (by its hash's first characters, never the key) or a console user. */
export interface Requester {
  readonly type: 'api-key' | 'console-user';
  readonly id: string;
}

/** One personal-data request as recorded (no raw identifier: a keyed commitment to it). */
export interface DataSubjectRequest {
  readonly id: string;
  readonly tenantId: string;
  readonly kind: RequestKind;
  readonly receivedAt: string;
  readonly requestedBy: Requester;
  /** HMAC-SHA-256 of `kind:value` under the tenant's subject key: the same person gives the same value, nobody can guess it back. */
  readonly subject: { readonly kind: SubjectKind; readonly commitment: string };
  /** The decree's acknowledgement deadline: the end of the 2nd working day after receipt (shared/data-subjects/working-days.ts). */
  readonly acknowledgementDue: string;
  /** When the request was answered (every request is answered when received, with its outcome). */
  readonly acknowledgedAt: string;
  readonly acknowledgedInTime: boolean;
  readonly outcome: { readonly envelopes: number; readonly erased: number; readonly kept: number };
}

/** Why something about the person is kept (the erase answer, one per reason). */
export interface KeptReason {
  readonly code: 'retention' | 'legal_hold' | 'in_progress' | 'audit_v1';
  /** Vietnamese first, English second. */
  readonly message: { readonly vi: string; readonly en: string };
  /** The law that requires keeping it, when one does. */
  readonly law?: string;
  /** Until when (retention). */
  readonly until?: string;
}

export interface ErasedCounts {
  readonly recipients: number;
  readonly auditEvents: number;
  readonly identityImages: number;
  readonly documents: number;
}

/** What became of one envelope that concerns the person. */
export interface EnvelopeErasure {
  readonly envelopeId: string;
  readonly title: string;
  readonly status: string;
  /** erased: contact details, identity evidence, audit personal data and documents gone; kept: the envelope stays (reasons say why; identity images may still be erased). */
  readonly action: 'erased' | 'kept';
  readonly erased: ErasedCounts;
  readonly kept: KeptReason[];
}

/** Storage of the requests, the tenant's subject key, and the one in-place change the audit trail allows. */
export interface DataSubjectStore {
  /** The tenant's secret for subject commitments: made once (conditional put) and read after. */
  subjectKey(tenantId: string): Promise<string>;
  /** Records a request (conditional: never overwrites one with the same id). */
  putRequest(request: DataSubjectRequest): Promise<void>;
  /** Newest first. */
  listRequests(tenantId: string, options: { limit: number; cursor?: string }): Promise<{ items: DataSubjectRequest[]; cursor?: string }>;
  /**
   * Replaces a stored audit event by its erased form (shared/audit/personal-data.ts), only if the
   * stored event still has the same hash and was not erased yet; false when it already was.
   */
  eraseAuditEvent(tenantId: string, envelopeId: string, erased: AuditEvent): Promise<boolean>;
}

/** The audit chain the requests themselves are appended to (one per tenant; not an envelope id: those are 16 characters). */
export const REQUEST_LOG_CHAIN = 'data-subject-requests';
