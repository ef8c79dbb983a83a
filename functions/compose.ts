import { LOGIN_LIMITS } from '../shared/console/sign-in.js';
import { auditAppended } from '../shared/envelope/commit-signer-revision.js';
import type { OutboxSignal } from '../shared/envelope/deps.js';
import { cacheRevisions } from '../shared/envelope/document-cache.js';
import { type AuditRepository, systemClock } from '../shared/envelope/ports.js';
import { withBuiltinTemplates } from '../shared/labour/builtin-template.js';
import { fromPem } from '../shared/pki/certificate.js';
import type { PlatformPki } from '../shared/pki/platform-pki.js';
import { CscClient } from '../shared/remote/csc-client.js';
import { registerDocumentHashes } from '../shared/verify/register-document-hashes.js';
import { webhookPublisher } from '../shared/webhooks/publish-event.js';
import type { AppDeps } from './api/context.js';
import { type AdminKeySource, cachedSecret, readSecret, type SecretSource, secretAdminKey, secretField } from './aws/admin-key-secret.js';
import { type AwsClients, createAwsClients } from './aws/clients.js';
import { dynamoArchiveIndex } from './aws/dynamo-archive-index.js';
import { dynamoConsoleRepository } from './aws/dynamo-console-repository.js';
import { dynamoDashboardSource } from './aws/dynamo-dashboard.js';
import { dynamoDataSubjects } from './aws/dynamo-data-subjects.js';
import { dynamoIdempotencyStore } from './aws/dynamo-idempotency-store.js';
import { dynamoIdentityAttempts, s3IdentityImages } from './aws/dynamo-identity.js';
import { dynamoLabourIndex } from './aws/dynamo-labour.js';
import { devPhoneOutbox, dynamoDeliveryLog, dynamoZnsTokens } from './aws/dynamo-messaging.js';
import { dynamoOutbox } from './aws/dynamo-outbox.js';
import { dynamoRateCounter } from './aws/dynamo-rate-counter.js';
import { dynamoRemoteProviderStore } from './aws/dynamo-remote-providers.js';
import {
  dynamoAuditRepository,
  dynamoEnvelopeRepository,
  dynamoTenantRepository,
  dynamoTokenRepository,
} from './aws/dynamo-repositories.js';
import { dynamoRevisionLeases } from './aws/dynamo-revision-lease.js';
import { dynamoSigningSessionStore } from './aws/dynamo-signing.js';
import { dynamoBulkJobRepository, dynamoTemplateRepository } from './aws/dynamo-templates.js';
import { dynamoDocumentHashIndex, dynamoTrustListRepository } from './aws/dynamo-verify.js';
import { dynamoWebhookRepository } from './aws/dynamo-webhooks.js';
import { dynamoOpenEnvelopeIndex, dynamoSignerAuthStore } from './aws/dynamo-workflow.js';
import { awsDependencyChecks } from './aws/health-checks.js';
import { kmsSecretBox } from './aws/kms-secret-box.js';
import { loadPlatformPki } from './aws/platform-keys.js';
import { s3ArchiveStore } from './aws/s3-archive-store.js';
import { s3DocumentStore } from './aws/s3-document-store.js';
import { s3ExportArchives } from './aws/s3-export-archives.js';
import { s3PresignedUrls } from './aws/s3-presigned-urls.js';
import { dynamoSealKeys } from './aws/seal-keys.js';
import { devOutbox, sesMailer } from './aws/ses-mailer.js';
import { sqsJobQueue } from './aws/sqs-job-queue.js';
import { kmsTenantSeals } from './aws/tenant-seal.js';
import type { Config, Credential } from './config.js';
import { ekycDocumentProvider } from './identity/ekyc-provider.js';
import { oidcIdentityProvider } from './identity/oidc-provider.js';
import { provisionalLabourRegistry, unconfiguredLabourRegistry } from './labour/provisional-labour-registry.js';
import { createLogger, type Logger } from './logger.js';
import { snsSmsMessenger } from './messaging/sns-sms.js';
import { znsMessenger } from './messaging/zalo-zns.js';
import { createOutageMetrics, createRequestMetrics, type RequestMetrics } from './metrics.js';
import { guardedFetch } from './net/guarded-fetch.js';
import { httpCrlFetcher } from './net/http-crl-fetcher.js';
import { countInRequest } from './request-scope.js';
import { noOutboxSignal } from './worker/outbox-signal.js';

/** The composition root: builds every adapter once from the config, for the API (Lambda or local). */
/**
 * The audit trail as readers see it: a read waits for this process's appends of the envelope that
 * are under way (signers are answered at the commit, their events appended right after).
 */
const awaitingAppends = (audit: AuditRepository): AuditRepository => ({
  append: (...args) => audit.append(...args),
  appendAll: (...args) => audit.appendAll(...args),
  list: async (tenantId, envelopeId) => {
    await auditAppended(tenantId, envelopeId);
    return audit.list(tenantId, envelopeId);
  },
});

export const composeAppDeps = (
  config: Config,
  /** `outboxSignal`: how commits wake the worker (in process locally; on AWS the table's stream does it). */
  options: { clients?: AwsClients; logger?: Logger; requestMetrics?: RequestMetrics; outboxSignal?: OutboxSignal } = {},
): AppDeps => {
  const clients = options.clients ?? createAwsClients(config);
  const table = { client: clients.dynamo, tableName: config.tableName };
  const outbox = config.local ? devOutbox(table) : undefined;
  const ses = sesMailer({
    client: clients.ses,
    from: config.mailFrom,
    ...(config.sesConfigurationSet ? { configurationSet: config.sesConfigurationSet } : {}),
  });
  const clock = systemClock;
  let pki: Promise<PlatformPki> | undefined;
  const logger = options.logger ?? createLogger('kyso-api');
  const jobs = sqsJobQueue({ client: clients.sqs, queueUrls: config.queueUrls });
  const webhooks = dynamoWebhookRepository(table);
  // Every call to a supplied URL goes through this (https and public addresses only; loopback in local mode).
  const outboundFetch = guardedFetch({ allowLoopback: config.local, timeoutMs: 15_000, maxResponseBytes: 1024 * 1024 });
  const phoneOutbox = config.local ? devPhoneOutbox(table) : undefined;
  const sms = snsSmsMessenger({ client: clients.sns, ...(config.smsSenderId ? { senderId: config.smsSenderId } : {}) });
  // Provider credentials: from the environment, or fields of the provider-secrets secret read once per container.
  const providerSecrets = config.providerSecretsId ? cachedSecret(clients.secrets, config.providerSecretsId) : undefined;
  const credential = (c: Credential): SecretSource => {
    if ('value' in c) return c.value;
    if (!providerSecrets) throw new Error(`credential "${c.secretField}" needs KYSO_PROVIDER_SECRETS_ID`);
    return secretField(providerSecrets, c.secretField);
  };
  const oidcProvider = ({ clientSecret, ...oidc }: NonNullable<Config['identity']['oidc']>) =>
    oidcIdentityProvider({ ...oidc, ...(clientSecret ? { clientSecret: credential(clientSecret) } : {}), fetch: outboundFetch });
  const zalo = config.zns
    ? znsMessenger({
        ...config.zns,
        secretKey: credential(config.zns.secretKey),
        tokens: dynamoZnsTokens(table, credential(config.zns.refreshToken)),
        fetch: outboundFetch,
      })
    : undefined;
  const labourIndex = dynamoLabourIndex(table, clock);
  const secretBox = kmsSecretBox({ kms: clients.kms, alias: `${config.keyAliasPrefix}/data`, create: config.local });
  const deps: AppDeps = {
    outboundFetch,
    jobs,
    webhooks,
    events: webhookPublisher({ webhooks, jobs, clock, logger }),
    webhookDelivery: { backoffBaseMs: config.webhookBackoffBaseMs, maxAttempts: config.webhookMaxAttempts },
    allowLoopbackWebhooks: config.local,
    idempotency: dynamoIdempotencyStore(table),
    envelopes: dynamoEnvelopeRepository(table),
    dataSubjects: dynamoDataSubjects(table),
    dataSubjectExports: { syncMax: config.exportSyncMax, archives: s3ExportArchives({ client: clients.s3, bucket: config.bucketName }) },
    outbox: dynamoOutbox(table),
    revisionLeases: dynamoRevisionLeases(table),
    outboxSignal: options.outboxSignal ?? noOutboxSignal,
    labour: {
      registry: config.labourPlatform
        ? provisionalLabourRegistry({
            baseUrl: config.labourPlatform.url,
            clientId: config.labourPlatform.clientId,
            clientSecret: config.labourPlatform.clientSecretId
              ? cachedSecret(clients.secrets, config.labourPlatform.clientSecretId)
              : (config.labourPlatform.clientSecret ?? ''),
            timeoutMs: config.labourTimeoutMs,
            // The operator configures this URL, but it still goes through the one guarded fetch (https, public addresses).
            fetch: guardedFetch({ allowLoopback: config.local, timeoutMs: config.labourTimeoutMs, maxResponseBytes: 1024 * 1024 }),
          })
        : unconfiguredLabourRegistry(),
      index: labourIndex,
      kick: (tenantId, envelopeId, delaySeconds) =>
        jobs.enqueue('labour', { tenantId, envelopeId }, delaySeconds ? { delaySeconds: Math.min(900, delaySeconds) } : {}),
      backoffBaseMs: config.labourBackoffBaseMs,
      pollDelayMs: config.labourPollMs,
      identityRequired: config.labourIdentityRequired,
    },
    ...(config.local && config.devCrashPoint
      ? {
          crashPoint: (point: string) => {
            if (point === config.devCrashPoint) process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
    tokens: dynamoTokenRepository(table),
    signerAuth: dynamoSignerAuthStore(table),
    openEnvelopes: dynamoOpenEnvelopeIndex(table),
    // Issue 17: completed envelopes are archived under Object Lock (KYSO_LOCK_MODE, KYSO_LOCK_DAYS).
    archive: s3ArchiveStore({ client: clients.s3, bucket: config.bucketName, mode: config.lockMode }),
    archiveIndex: dynamoArchiveIndex(table),
    lockMode: config.lockMode,
    lockFloorDays: config.lockFloorDays,
    timestampRenewalMarginDays: config.timestampRenewalMarginDays,
    seals: kmsTenantSeals({
      kms: clients.kms,
      dynamo: clients.dynamo,
      tableName: config.tableName,
      aliasPrefix: config.keyAliasPrefix,
      defaultKeySpec: config.keySpec,
      issueLocally: config.local,
      pki: () => deps.pki(),
    }),
    tenants: dynamoTenantRepository(table),
    audit: awaitingAppends(dynamoAuditRepository(table)),
    console: dynamoConsoleRepository(table),
    // Console TOTP seeds and tenants' remote-signing client secrets: envelope encryption under the deployment's data key (made locally on first use).
    secretBox,
    loginLimits: { ...LOGIN_LIMITS, ip: { ...LOGIN_LIMITS.ip, limit: config.loginLimitPerIp } },
    // Every tenant also has the ready-made labour-contract template (issue 13), built in.
    templates: withBuiltinTemplates(dynamoTemplateRepository(table)),
    bulkJobs: dynamoBulkJobRepository(table),
    // Every stored revision registers its SHA-256, so POST /v1/verify can link a file to its envelope.
    // Recent revisions stay in memory: the next signer of an envelope builds on them without an S3 read.
    documents: cacheRevisions(
      registerDocumentHashes(s3DocumentStore({ client: clients.s3, bucket: config.bucketName }), dynamoDocumentHashIndex(table)),
    ),
    documentHashes: dynamoDocumentHashIndex(table),
    trustLists: dynamoTrustListRepository(table),
    trustedRoots: config.trustedRootsPem ? fromPem(config.trustedRootsPem) : [],
    ...(config.verifyFetchCrls ? { crlFetcher: httpCrlFetcher({ allowPrivate: config.local }) } : {}),
    externalSigning: {
      sessions: dynamoSigningSessionStore(table),
      remoteProviders: {
        store: dynamoRemoteProviderStore(table),
        secretBox,
        clock,
        deployment: config.remoteSigningProviders.map(({ clientSecret, ...p }) => {
          const source = credential(clientSecret);
          return { ...p, clientSecret: () => readSecret(source) };
        }),
      },
      cscClient: (csc) => new CscClient(csc, { timeoutMs: 10_000, fetch: outboundFetch }),
      // Signers' certificates must chain to the platform root, a deployment root (KYSO_TRUSTED_ROOTS) or one of the tenant's roots.
      trustAnchors: async (tenantId) => [
        (await deps.pki()).rootCertificate,
        ...(config.trustedRootsPem ? fromPem(config.trustedRootsPem) : []),
        ...(await dynamoTrustListRepository(table).rootsFor(tenantId)),
      ],
      sessionTtlMs: config.signingSessionTtlMs,
      fetchCrl: httpCrlFetcher({ allowPrivate: config.local }),
      pinnedDocuments: s3DocumentStore({ client: clients.s3, bucket: config.bucketName }),
    },
    sealKeys: dynamoSealKeys({ kms: clients.kms, dynamo: clients.dynamo, tableName: config.tableName }),
    mailer: outbox ? outbox.wrap(ses) : ses,
    messengers: {
      sms: phoneOutbox ? phoneOutbox.wrap(sms) : sms,
      ...(zalo ? { zalo: phoneOutbox ? phoneOutbox.wrap(zalo) : zalo } : {}),
    },
    deliveries: dynamoDeliveryLog(table),
    dashboard: dynamoDashboardSource(table),
    identity: {
      ...(config.identity.ekyc
        ? {
            document: ekycDocumentProvider({
              ...config.identity.ekyc,
              apiKey: credential(config.identity.ekyc.apiKey),
              fetch: outboundFetch,
            }),
          }
        : {}),
      ...(config.identity.oidc
        ? {
            oidc: oidcProvider(config.identity.oidc),
          }
        : {}),
      attempts: dynamoIdentityAttempts(table),
      images: s3IdentityImages({
        client: clients.s3,
        bucket: config.bucketName,
        ...(config.identity.imageKmsKeyId ? { kmsKeyId: config.identity.imageKmsKeyId } : {}),
      }),
      minFaceMatch: config.identity.minFaceMatch,
      ...(config.identity.oidc?.requiredAcr ? { requiredAcr: config.identity.oidc.requiredAcr } : {}),
      oidcRedirectUri: `${config.publicUrl}/identity/oidc/callback`,
    },
    ...(config.zns?.oaSecretKey ? { zaloCallback: { appId: config.zns.appId, oaSecretKey: credential(config.zns.oaSecretKey) } } : {}),
    clock,
    // Loaded on first use and kept for the life of the container (KMS GetPublicKey is rate-limited).
    pki: () => {
      pki ??= loadPlatformPki({
        kms: clients.kms,
        dynamo: clients.dynamo,
        tableName: config.tableName,
        aliasPrefix: config.keyAliasPrefix,
        keySpec: config.keySpec,
        publicUrl: config.publicUrl,
        clock,
        create: config.local,
      }).catch((e) => {
        pki = undefined;
        throw e;
      });
      return pki;
    },
    publicUrl: config.publicUrl,
    linkTtlDays: config.linkTtlDays,
    sendEventWaitMs: config.sesSendEventWaitMs,
    envelopeTtlDays: config.envelopeTtlDays,
    reminders: config.reminders,
    tsaUrls: config.tsaUrls,
    tsaTimeoutMs: config.tsaTimeoutMs,
    ...(config.tsaRequired ? { tsaRequired: config.tsaRequired } : {}),
    reportError: (message, fields) => logger.error(message, fields),
    logger,
    counters: { count: countInRequest },
    outages: createOutageMetrics(),
    requestMetrics: options.requestMetrics ?? createRequestMetrics('kyso-api'),
    dependencyChecks: awsDependencyChecks(clients, config),
    maxUploadBytes: config.maxUploadBytes,
    presigned: s3PresignedUrls({ client: clients.s3, bucket: config.bucketName }),
    maxPresignedUploadBytes: config.maxPresignedUploadBytes,
    ...adminKeySource(config, clients),
    trustedProxies: config.trustedProxies,
    rateCounter: dynamoRateCounter(table),
    rateLimits: {
      perIp: { limit: config.rateLimitPerIp, windowSeconds: 60 },
      perTenant: { limit: config.rateLimitPerTenant, windowSeconds: 60 },
    },
    ...(outbox ? { devMail: outbox } : {}),
    ...(phoneOutbox ? { devPhone: phoneOutbox } : {}),
    ...(config.local && config.labourPlatform ? { devLabourPlatformUrl: config.labourPlatform.url } : {}),
  };
  return deps;
};

/** The admin key as given (tests, scripts), else from its Secrets Manager secret, else none (admin routes answer 404). */
const adminKeySource = (config: Config, clients: AwsClients): { adminKey?: AdminKeySource } => {
  const { adminKey, adminKeySecretId } = config;
  if (adminKey) return { adminKey: async () => adminKey };
  if (adminKeySecretId) return { adminKey: secretAdminKey(clients.secrets, adminKeySecretId) };
  return {};
};
