import type { DataSubjectStore } from '../data-subjects/types.js';
import type { IdentityDeps } from '../identity/ports.js';
import type { LabourDeps } from '../labour/ports.js';
import type { DeliveryLog, Messenger } from '../messaging/ports.js';
import type { CrlSource } from '../pki/external-crls.js';
import type { PlatformPki } from '../pki/platform-pki.js';
import type { ArchiveIndex, ArchiveStore } from '../retention/ports.js';
import type { EventPublisher } from '../webhooks/events.js';
import type {
  AuditRepository,
  Clock,
  DocumentStore,
  EnvelopeRepository,
  Mailer,
  OpenEnvelopeIndex,
  OutboxStore,
  RevisionLeaseStore,
  SealCredentialsPort,
  SignerAuthStore,
  TenantRepository,
  TokenRepository,
} from './ports.js';
import type { ReminderOptions } from './types.js';

/** Everything the envelope use cases need; built once per entry point (the composition root). */
/**
 * Where KYSO_DEV_CRASH_POINT can kill the local process: after the completing commit; after a
 * completion email was sent and recorded on its item; right after SES took a completion email,
 * before anything of ours recorded it (only SES's Send event knows).
 */
export const CRASH_POINTS = ['after-completion-commit', 'after-completion-email', 'completion-email-taken'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface EnvelopeDeps {
  readonly envelopes: EnvelopeRepository;
  readonly tokens: TokenRepository;
  readonly tenants: TenantRepository;
  readonly audit: AuditRepository;
  readonly documents: DocumentStore;
  readonly mailer: Mailer;
  readonly clock: Clock;
  /** Effects owed by committed state changes (shared/envelope/effects.ts). */
  readonly outbox: OutboxStore;
  /** Tells the worker an envelope has new owed effects (in process locally; a no-op on AWS, where the table's stream does it). */
  readonly outboxSignal: OutboxSignal;
  /** Who builds the next signer revision of an envelope (shared/envelope/revision-lease.ts). */
  readonly revisionLeases: RevisionLeaseStore;
  readonly pki: () => Promise<PlatformPki>;
  /** Base of links in emails, without trailing slash. */
  readonly publicUrl: string;
  /** How long a signing link lives, in days. */
  readonly linkTtlDays: number;
  /** Deployment-wide external TSA URLs (tenants may set their own), tried before the platform TSA. */
  readonly tsaUrls?: readonly string[];
  /** Timeout per external TSA request. */
  readonly tsaTimeoutMs?: number;
  /** KYSO_TSA_REQUIRED=external: signatures need an external TSA; no fallback to the platform TSA. */
  readonly tsaRequired?: 'external';
  /** Counts what a request did, for its metrics (functions/metrics.ts); absent in unit tests and tools. */
  readonly counters?: { count(name: 'signatures', n: number): void };
  /** Outages a dedicated alarm watches (functions/metrics.ts): a required external TSA that did not answer. */
  readonly outages?: { timestampUnavailable(): void };
  /** Where use cases report failures that answer 5xx but are no bug (an outside service down): logged as errors, alarmed. */
  readonly reportError: (message: string, fields: Record<string, unknown>) => void;
  /**
   * The fetch for every URL a tenant or a file supplied (TSAs, webhooks, CSC providers, …): the
   * composition root passes the guarded fetch (functions/net/guarded-fetch.ts); absent only in unit tests.
   */
  readonly outboundFetch?: typeof fetch;
  /** Online CRL fetching (KYSO_VERIFY_FETCH_CRLS=1): verification, and DSS data for certificates of other CAs. */
  readonly crlFetcher?: CrlSource;
  /** Webhook events published outside the envelope pipeline (shared/webhooks/events.ts). Never throws. */
  readonly events: EventPublisher;
  /**
   * How long a run of an owed email waits for SES's Send event of an earlier run that died while
   * handing it over, before sending it again (shared/messaging/owed-email.ts); 5 minutes when absent.
   */
  readonly sendEventWaitMs?: number;
  /** Default lifetime of a sent envelope (expiresAt), in days; DEFAULT_ENVELOPE_TTL_DAYS when absent. */
  readonly envelopeTtlDays?: number;
  /** Default reminder schedule; DEFAULT_REMINDERS when absent. */
  readonly reminders?: ReminderOptions;
  /** The tenant's organisation seal (KMS key + certificate), applied for `seal` recipients. */
  readonly seals: SealCredentialsPort;
  /** One-time code / access code state per recipient. */
  readonly signerAuth: SignerAuthStore;
  /** The envelopes that are out for signing, for the scheduler sweeps. */
  readonly openEnvelopes: OpenEnvelopeIndex;
  /** SMS (SNS) and Zalo (ZNS) adapters; a channel without one is not available on this deployment. */
  readonly messengers?: { readonly sms?: Messenger; readonly zalo?: Messenger };
  /** Phone messages sent and their delivery receipts. */
  readonly deliveries: DeliveryLog;
  /** Identity proofing: providers, evidence store, encrypted image store. */
  readonly identity?: IdentityDeps;
  /** Labour contracts: the national platform (LabourContractRegistry), the indexes, the delivery queue. */
  readonly labour?: LabourDeps;
  /** Local fault injection only (KYSO_DEV_CRASH_POINT): dies at the named point, to test what survives a crash. */
  readonly crashPoint?: (point: CrashPoint) => void;
  /** Object Lock archive of completed envelopes (issue 17); absent in unit tests that do not archive. */
  readonly archive?: ArchiveStore;
  readonly archiveIndex?: ArchiveIndex;
  /** Personal-data requests' store (issue 17); the end-of-retention erasure uses it too. */
  readonly dataSubjects?: DataSubjectStore;
  /** KYSO_LOCK_MODE (default GOVERNANCE) and KYSO_LOCK_DAYS (minimum retention after completion, default 0). */
  readonly lockMode?: 'GOVERNANCE' | 'COMPLIANCE';
  readonly lockFloorDays?: number;
  /** Renew a document timestamp this many days before a certificate it relies on expires (default 365). */
  readonly timestampRenewalMarginDays?: number;
}

/** Who did something, for the audit trail: never more than the request metadata we need. */
export interface RequestMeta {
  readonly ip?: string;
  readonly userAgent?: string;
}

export interface OutboxSignal {
  notify(tenantId: string, envelopeId: string): void;
}
