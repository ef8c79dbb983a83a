/**
 * Retention classes (issue 17). A completed envelope is kept, locked, for a number of years
 * counted from its completion or from the contract's end date when the sender gave one;
 * then it is deleted or put up for review. Each tenant may override the defaults per kind.
 */
export type ContractKind = 'labourContract' | 'serviceContract' | 'other';
export const CONTRACT_KINDS: readonly ContractKind[] = ['labourContract', 'serviceContract', 'other'];

export interface RetentionClass {
  /** Whole years (1–100). */
  readonly years: number;
  /** `contractEnd`: counted from the envelope's contractEndsAt when known, else from completion. */
  readonly from: 'completion' | 'contractEnd';
  /** What happens when the period runs out. */
  readonly atEnd: 'delete' | 'review';
}

export type RetentionSettings = Readonly<Record<ContractKind, RetentionClass>>;

/**
 * Defaults, each a tenant may change with PUT /v1/settings {"retention": {...}}:
 * - labour contracts: 70 years from the contract's end, then review — the period Circular
 *   10/2022/TT-BNV gives personnel records (the worker's social-insurance and pension claims
 *   outlive the contract by decades);
 * - service contracts: 10 years from the contract's end, then delete — the Accounting Law
 *   (88/2015/QH13, art. 41) keeps the documents behind the books 10 years, which also covers
 *   the civil-law limitation period (Civil Code 2015, art. 429: 3 years);
 * - other: 10 years from completion, then review.
 */
export const DEFAULT_RETENTION: RetentionSettings = {
  labourContract: { years: 70, from: 'contractEnd', atEnd: 'review' },
  serviceContract: { years: 10, from: 'contractEnd', atEnd: 'delete' },
  other: { years: 10, from: 'completion', atEnd: 'review' },
};

/** What a completed envelope records about its archive (the objects locked and until when). */
export interface EnvelopeRetention {
  readonly kind: ContractKind;
  readonly years: number;
  /** ISO instant the period starts (completion or contract end). */
  readonly from: string;
  /** ISO instant the Object Lock retention of every archived object ends. */
  readonly retainUntil: string;
  readonly atEnd: 'delete' | 'review';
  /** Object Lock mode of the deployment. */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Store keys of the locked objects: final documents, certificate of completion, audit-trail export, later renewals. */
  readonly lockedKeys: readonly string[];
  readonly lockedAt: string;
  /** ISO: when the documents' last document timestamp needs renewing (its archive-index position). */
  readonly renewBy?: string;
  /** Set by the retention sweep once retainUntil passed (end-retention.ts): what it did, when. */
  readonly ended?: { readonly at: string; readonly action: 'delete' | 'review' };
}

/**
 * Where the envelope sits in the archive index: its timestamp renewal date or, while its
 * retention has not ended, the end of retention if that comes first (the sweep then acts on `atEnd`).
 */
export const archiveIndexPosition = (r: Pick<EnvelopeRetention, 'renewBy' | 'retainUntil' | 'ended'>): string | undefined =>
  r.ended || !r.renewBy ? r.renewBy : [r.retainUntil, r.renewBy].sort()[0];

/** A legal hold on an envelope: nothing of it may be deleted or erased while it is set. */
export interface LegalHold {
  readonly reason: string;
  readonly at: string;
  readonly by?: string;
}
