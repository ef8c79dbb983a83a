import type { AuditEvent, Envelope } from '../envelope/types.js';
import type { ConversionRecord, LabourAct, LabourTerms, RegistrationStatus } from './types.js';

/** One party's identity evidence, as the national platform receives it. */
export interface PartyEvidence {
  readonly party: 'employee' | 'employer';
  readonly name: string;
  /** CCCD of the employee, tax code of the employer. */
  readonly identifier: string;
  /** How the signer was identified (the audit trail's method: email-link+otp, organisation-seal, …). */
  readonly method: string;
  readonly signedAt?: string;
  /** Whatever identity data the signing step recorded (eKYC result, VNeID level, certificate subject). */
  readonly evidence?: Readonly<Record<string, unknown>>;
}

/** Everything the provider owes the platform for one contract (Decree 337): the document, its main terms, the log, the parties' identities. */
export interface LabourSubmission {
  /** Ours, stable for the envelope: a second submission with it is a duplicate, never a second contract. */
  readonly reference: string;
  readonly act: LabourAct;
  /** Appendix / termination: the original contract's national identifier. */
  readonly relatesTo?: string;
  readonly effectiveDate?: string;
  readonly summary?: string;
  readonly terms: LabourTerms;
  readonly conversion?: ConversionRecord;
  /** When the last party signed (or the conversion was sealed). */
  readonly completedAt: string;
  readonly documents: readonly { readonly name: string; readonly sha256: string; readonly pdf: Uint8Array }[];
  readonly auditLog: readonly AuditEvent[];
  readonly parties: readonly PartyEvidence[];
}

/** What the platform said about a submission. */
export type RegistryAnswer =
  | { readonly status: 'registered'; readonly nationalId: string; readonly submissionId?: string }
  | { readonly status: 'submitted'; readonly submissionId: string }
  | { readonly status: 'rejected'; readonly reason: string; readonly submissionId?: string };

/**
 * The national e-labour-contract platform (Ministry of Home Affairs). Its technical spec is
 * not public: the one adapter (functions/labour/provisional-labour-registry.ts) holds the
 * provisional wire format, so the day the spec is published the change is that file.
 */
export interface LabourContractRegistry {
  submit(submission: LabourSubmission): Promise<RegistryAnswer>;
  /** Where a submission the platform accepted for processing stands now. */
  status(submissionId: string): Promise<RegistryAnswer>;
}

/** The platform could not be reached or answered "try later" (outage, timeout, 5xx, 429): retry with backoff. */
export class RegistryUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryUnavailableError';
  }
}

/** A row of the periodic report (GET /v1/reports/labour-contracts): a projection kept with the envelope. */
export interface LabourReportRow {
  readonly envelopeId: string;
  readonly title: string;
  readonly act: LabourAct;
  readonly completedAt: string;
  readonly employeeName: string;
  readonly employeeIdNumber: string;
  readonly employerTaxCode: string;
  readonly contractType: string;
  readonly startDate: string;
  readonly endDate?: string;
  readonly status: RegistrationStatus;
  readonly nationalId?: string;
  readonly relatesTo?: string;
  readonly reason?: string;
  readonly late: boolean;
  readonly overdue: boolean;
  readonly converted: boolean;
}

/**
 * Projections of the envelopes' registrations (functions/aws/dynamo-labour.ts): registrations
 * not registered yet (what the sweep walks), national ids, report rows.
 */
export interface LabourIndex {
  /** Rewrites the projections of one envelope's registration (idempotent; the sweep repairs a missed one). */
  record(envelope: Envelope): Promise<void>;
  /** Registrations owed and not registered yet, across tenants (sharded). */
  listOwed(cursor?: string): Promise<{ items: { tenantId: string; envelopeId: string }[]; cursor?: string }>;
  findByNationalId(tenantId: string, nationalId: string): Promise<string | undefined>;
  /** Completed labour contracts of a tenant with `from <= completedAt < to`, oldest first. */
  report(tenantId: string, from: string, to: string): Promise<LabourReportRow[]>;
}

export interface LabourDeps {
  readonly registry: LabourContractRegistry;
  readonly index: LabourIndex;
  /** Queue one delivery attempt of an envelope's registration (the 'labour' job), optionally later. */
  kick(tenantId: string, envelopeId: string, delaySeconds?: number): Promise<void>;
  /** First retry delay after a transient failure; doubles per attempt up to an hour. */
  readonly backoffBaseMs: number;
  /** How often a submission the platform is still processing is polled. */
  readonly pollDelayMs: number;
  /**
   * Decree 337: parties identified. The deployment's default for identity proofing of the
   * parties (KYSO_LABOUR_IDENTITY_REQUIRED, on unless `0`); a tenant's setting wins.
   */
  readonly identityRequired?: boolean;
}
