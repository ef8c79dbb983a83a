import type { BulkJobRepository } from '../../shared/bulk/types.js';
import type { ConsoleRepository, SecretBox } from '../../shared/console/ports.js';
import type { LoginLimits } from '../../shared/console/sign-in.js';
import type { DashboardSource } from '../../shared/dashboard/ports.js';
import type { ExportLimits } from '../../shared/data-subjects/export-size.js';
import type { DataSubjectStore, ExportArchiveStore } from '../../shared/data-subjects/types.js';
import type { EnvelopeDeps } from '../../shared/envelope/deps.js';
import type { MailMessage } from '../../shared/envelope/ports.js';
import type { JobQueue } from '../../shared/jobs/ports.js';
import type { SealKeys } from '../../shared/seal/ports.js';
import type { ExternalSigningDeps } from '../../shared/signing/ports.js';
import type { TemplateRepository } from '../../shared/templates/types.js';
import type { PresignedUrls } from '../../shared/uploads/ports.js';
import type { CrlFetcher, DocumentHashIndex, TrustListRepository } from '../../shared/verify/ports.js';
import type { WebhookRepository } from '../../shared/webhooks/ports.js';
import type { AdminKeySource, SecretSource } from '../aws/admin-key-secret.js';
import type { DependencyChecks } from '../aws/health-checks.js';
import type { Logger } from '../logger.js';
import type { RequestMetrics } from '../metrics.js';
import type { IdempotencyStore } from './idempotency.js';
import type { RateCounter, RateLimits } from './rate-limit.js';

/** What the API app is built from: the domain deps plus HTTP-level settings. */
export interface AppDeps extends EnvelopeDeps {
  readonly logger: Logger;
  /** Per-request metrics (EMF), published as each request is answered; absent in unit tests. */
  readonly requestMetrics?: RequestMetrics;
  /** Probes behind `GET /health?deep=1`, one per dependency (functions/aws/health-checks.ts). */
  readonly dependencyChecks: DependencyChecks;
  readonly maxUploadBytes: number;
  /** Presigned S3 URLs for large uploads/downloads, and the largest upload they accept. */
  readonly presigned: PresignedUrls;
  readonly maxPresignedUploadBytes: number;
  /** Sender console users, sessions and API key listing. */
  readonly console: ConsoleRepository;
  /** The console home's envelope summaries (GET /v1/dashboard). */
  readonly dashboard: DashboardSource;
  /** Seals console TOTP secrets (KMS envelope encryption, functions/aws/kms-secret-box.ts). */
  readonly secretBox: SecretBox;
  /** Console sign-in limits (LOGIN_LIMITS, the per-address one from KYSO_LOGIN_LIMIT_IP). */
  readonly loginLimits?: LoginLimits;
  /** The admin key for /admin endpoints (Secrets Manager, read once); absent = admin endpoints disabled. */
  readonly adminKey?: AdminKeySource;
  /** Background jobs (SQS): webhook deliveries, emails, bulk sends; run by functions/worker/jobs.ts. */
  readonly jobs: JobQueue;
  readonly webhooks: WebhookRepository;
  /** Webhook retry schedule (shared/webhooks/backoff.ts). */
  readonly webhookDelivery: { readonly backoffBaseMs: number; readonly maxAttempts: number };
  /** Local mode: webhook endpoints may be plain http on loopback (test receivers). */
  readonly allowLoopbackWebhooks: boolean;
  /** Idempotency-Key records (functions/api/idempotency.ts). */
  readonly idempotency: IdempotencyStore;
  /** Templates (/v1/templates) and bulk-send jobs (/v1/bulk, the 'bulk' queue). */
  readonly templates: TemplateRepository;
  readonly bulkJobs: BulkJobRepository;
  /** Verification service: hash → envelope index, extra trust anchors (deployment, per tenant). */
  readonly documentHashes: DocumentHashIndex;
  readonly trustedRoots?: readonly Uint8Array[];
  readonly trustLists: TrustListRepository;
  /** Online CRL fetch for /v1/verify (KYSO_VERIFY_FETCH_CRLS=1). */
  readonly crlFetcher?: CrlFetcher;
  /** Signing with the signer's own certificate: USB token (prepare/complete) and remote-signing CAs (CSC). */
  readonly externalSigning?: ExternalSigningDeps;
  /** The seal's KMS key for its CSR, and the CA certificate upload. */
  readonly sealKeys?: SealKeys;
  /** Rate-limit counters (DynamoDB) and limits (KYSO_RATE_LIMIT_IP / _TENANT per minute); no counter = no limits (unit tests). */
  readonly rateCounter?: RateCounter;
  readonly rateLimits?: RateLimits;
  /** KYSO_TRUSTED_PROXIES: how many proxies of ours append to X-Forwarded-For (0: the header is ignored). */
  readonly trustedProxies?: number;
  /** Local mode only: the captured outbox behind GET /dev/mail. */
  readonly devMail?: { list(to?: string): Promise<(MailMessage & { at: string })[]> };
  /** Local mode only: SMS and Zalo messages behind GET /dev/sms and /dev/zalo. */
  readonly devPhone?: { list(channel: 'sms' | 'zalo'): Promise<unknown[]> };
  /** Verifies Zalo's delivery callbacks (POST /callbacks/zalo); absent = callbacks refused. */
  readonly zaloCallback?: { readonly appId: string; readonly oaSecretKey: SecretSource };
  /** Local mode only: the process's AWS calls by "Service.Operation" (GET /dev/aws-calls), when more than this thread makes them. */
  readonly devAwsCalls?: () => Promise<Record<string, number>>;
  /** Local mode only: the labour platform's URL, for GET /dev/labour-platform (what it received). */
  readonly devLabourPlatformUrl?: string;
  /** Personal-data requests (issue 17): their records, the tenant's subject key, audit erasure. */
  readonly dataSubjects?: DataSubjectStore;
  /** Large exports (issue 17): above `syncMax` an export is a job on the `exports` queue writing to `archives`. */
  readonly dataSubjectExports?: { readonly syncMax: ExportLimits; readonly archives: ExportArchiveStore };
}

export type AppEnv = {
  Variables: {
    tenantId: string;
    requestId: string;
    /** From the connection or API Gateway's requestContext (functions/api/client-ip.ts); absent when unknown. */
    clientIp?: string;
  };
};
