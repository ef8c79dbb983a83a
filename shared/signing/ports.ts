import type { DocumentStore } from '../envelope/ports.js';
import type { CscClient, CscProviderConfig } from '../remote/csc-client.js';
import type { RemoteProviderDeps } from '../remote/providers.js';
import type { CrlFetcher } from '../verify/ports.js';

/**
 * Two-phase signing with the signer's own certificate (USB token through the local agent, or
 * a remote-signing CA): prepare pins the next revision of each document and the signed
 * attributes; complete embeds a signature only if it verifies against exactly those bytes.
 */
export interface PinnedDocument {
  readonly documentId: string;
  /** SHA-256 of the revision the pinned one was built on: if the envelope moved on, the session is stale. */
  readonly baseSha256: string;
  /** Store key of the pinned bytes (new revision, /Contents still zero). */
  readonly pinnedKey: string;
  readonly byteRange: readonly [number, number, number, number];
  /** SHA-256 of the ByteRange bytes (the message-digest attribute), hex. */
  readonly contentDigest: string;
  /** DER signed attributes (SET OF), base64: the bytes the signer's key signs. */
  readonly signedAttributes: string;
}

export type SigningSessionStatus = 'prepared' | 'pending-remote' | 'used' | 'failed';

export interface SigningSession {
  readonly id: string;
  readonly tenantId: string;
  readonly envelopeId: string;
  readonly recipientId: string;
  readonly status: SigningSessionStatus;
  /** 'token' (local agent), 'remote' (CSC), or whatever the caller used. */
  readonly method: 'token' | 'remote';
  readonly createdAt: string;
  readonly expiresAt: string;
  /** The claimed signing time written in /M of every pinned revision. */
  readonly signedAt: string;
  /** Signer certificate and the rest of its path (issuer first), base64 DER. */
  readonly certificate: string;
  readonly chain: readonly string[];
  readonly algorithm: 'ECDSA_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_256';
  readonly documents: readonly PinnedDocument[];
  /** Field values the signer filled, by field id (written into the pinned revisions). */
  readonly fieldValues: Readonly<Record<string, string>>;
  /** Remote signing: the CA's credential and the pending confirmation. */
  readonly remote?: {
    readonly credentialId: string;
    readonly requestId?: string;
    readonly caName: string;
    /** The provider the signer chose (absent in sessions made before providers were a list: the tenant's default). */
    readonly providerId?: string;
  };
  readonly version: number;
}

export interface SigningSessionStore {
  create(session: SigningSession): Promise<void>;
  get(tenantId: string, envelopeId: string, sessionId: string): Promise<SigningSession | undefined>;
  /** Writes `next` only if the stored version is `next.version - 1`; else AppError('conflict'). */
  update(next: SigningSession): Promise<void>;
}

/** What two-phase signing needs besides the envelope deps. */
export interface ExternalSigningDeps {
  readonly sessions: SigningSessionStore;
  /** Trusted roots for signers' certificates: platform root, deployment roots, the tenant's roots. */
  readonly trustAnchors: (tenantId: string) => Promise<readonly Uint8Array[]>;
  /** Remote-signing providers: the deployment's and each tenant's (secrets sealed). */
  readonly remoteProviders?: RemoteProviderDeps;
  /** Builds a CSC client for a provider (fetch and timeouts injected at the composition root). */
  readonly cscClient?: (config: CscProviderConfig) => CscClient;
  /**
   * Where pinned (not yet signed) revisions go; defaults to the envelope document store. The
   * composition root gives the bare S3 store, so unsigned bytes never enter the hash index of
   * the verification service.
   */
  readonly pinnedDocuments?: DocumentStore;
  /** Fetches a CRL by URL (revocation checks of signers' certificates); absent = revocation unknown. */
  readonly fetchCrl?: CrlFetcher;
  /** How long a prepared session may be completed, ms (default 10 minutes). */
  readonly sessionTtlMs?: number;
}
