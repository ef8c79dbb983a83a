import type { RequestMeta } from '../envelope/deps.js';
import type { AuditEvent } from '../envelope/types.js';
import type { ExportSize } from './export-size.js';

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
  /** A large export answered by a job (202): its id and where it stands (export-job.ts). */
  readonly export?: { readonly jobId: string; readonly status: ExportJobStatus };
}

export type ExportJobStatus = 'pending' | 'ready' | 'failed';

/**
 * An asynchronous export (`TENANT#t / DSX#<id>`): the request it answers (same id), the person's
 * identifier — kept only until the job has run, since the job must find the person again — and,
 * once ready, where the archive is and until when it may be downloaded.
 */
export interface ExportJob {
  readonly id: string;
  readonly tenantId: string;
  readonly status: ExportJobStatus;
  readonly request: DataSubjectRequest;
  readonly size: ExportSize;
  readonly subject?: Subject;
  readonly meta: RequestMeta;
  readonly createdAt: string;
  /** Runs started (at most EXPORT_MAX_ATTEMPTS, then failed). */
  readonly attempts?: number;
  readonly key?: string;
  readonly bytes?: number;
  readonly sha256?: string;
  readonly readyAt?: string;
  /** After this the archive is gone (S3 lifecycle) and no link is handed out. */
  readonly expiresAt?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export type ExportJobOutcome =
  | {
      readonly status: 'ready';
      readonly key: string;
      readonly bytes: number;
      readonly sha256: string;
      readonly readyAt: string;
      readonly expiresAt: string;
    }
  | { readonly status: 'failed'; readonly error: { readonly code: string; readonly message: string } };

/** Where finished export archives go (S3, tagged so the bucket's lifecycle deletes them after EXPORT_KEEP_DAYS). */
export interface ExportArchiveStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
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
  /** Creates the job (conditional put); when one with that id exists, returns it instead (idempotency). */
  createExportJob(job: ExportJob): Promise<ExportJob>;
  getExportJob(tenantId: string, jobId: string): Promise<ExportJob | undefined>;
  /** Counts one more run of a pending job; the new count, or undefined when the job is not pending. */
  startExportAttempt(tenantId: string, jobId: string): Promise<number | undefined>;
  /** Records the outcome only if the job is still pending (false otherwise) and forgets the identifier. */
  finishExportJob(tenantId: string, jobId: string, outcome: ExportJobOutcome): Promise<boolean>;
  /** Mirrors the job's status onto its request record (the list the console shows). */
  setRequestExportStatus(request: DataSubjectRequest, status: ExportJobStatus): Promise<void>;
}

/** The audit chain the requests themselves are appended to (one per tenant; not an envelope id: those are 16 characters). */
export const REQUEST_LOG_CHAIN = 'data-subject-requests';
