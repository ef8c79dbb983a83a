/**
 * Object Lock on the document store (S3 in production and locally on moto). Every method is
 * idempotent and addresses the object's current version.
 */
export interface ObjectRetention {
  readonly mode?: 'GOVERNANCE' | 'COMPLIANCE';
  readonly retainUntil?: Date;
  readonly legalHold: boolean;
}

export interface ArchiveStore {
  /**
   * Puts retention until `until` on the object's current version, in the deployment's mode.
   * Never shortens: an object already locked longer keeps its date.
   */
  lock(key: string, until: Date): Promise<ObjectRetention>;
  setLegalHold(key: string, on: boolean): Promise<void>;
  retention(key: string): Promise<ObjectRetention>;
  /** Deletes every version of the object (refused by S3 while it is locked or held). */
  deleteAllVersions(key: string): Promise<void>;
  /** Every key under a prefix (an envelope's revisions, certificates, exports). */
  keysUnder(prefix: string): Promise<string[]>;
  /** Writes a non-PDF archive object (the audit-trail export) once: if the key already holds one, that one stays. */
  putJson(key: string, value: unknown): Promise<void>;
}

/** Completed envelopes in the order their earliest document-timestamp certificate expires (the renewal sweep's list). */
export interface ArchiveIndexEntry {
  readonly tenantId: string;
  readonly envelopeId: string;
  /** ISO: earliest notAfter among the certificates the documents' last document timestamps rely on. */
  readonly renewBy: string;
}

export interface ArchiveIndex {
  /** Adds the entry, removing the envelope's entry at `previousRenewBy` (its old position) if given. */
  put(entry: ArchiveIndexEntry, previousRenewBy?: string): Promise<void>;
  remove(entry: ArchiveIndexEntry): Promise<void>;
  /** Entries whose renewBy is at or before `until`, oldest first. */
  due(until: Date, cursor?: string): Promise<{ items: ArchiveIndexEntry[]; cursor?: string }>;
}
