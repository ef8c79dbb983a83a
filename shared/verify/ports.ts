/** Where a stored document revision belongs. */
export interface DocumentLocation {
  readonly tenantId: string;
  readonly envelopeId: string;
  readonly documentId: string;
}

/** SHA-256 of every stored revision → its envelope, so a verified file can be linked to its envelope. */
export interface DocumentHashIndex {
  register(sha256: string, location: DocumentLocation): Promise<void>;
  find(sha256: string): Promise<DocumentLocation | undefined>;
}

/** CA roots a tenant trusts in addition to the platform's and the deployment's (DER). */
export interface TrustListRepository {
  rootsFor(tenantId: string): Promise<Uint8Array[]>;
  setRoots(tenantId: string, roots: readonly Uint8Array[]): Promise<void>;
}

/** Fetches a CRL by URL (online revocation checking, off unless the deployment enables it). */
export type CrlFetcher = (url: string) => Promise<Uint8Array | undefined>;
