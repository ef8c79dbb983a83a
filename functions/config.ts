import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOGIN_LIMITS } from '../shared/console/sign-in.js';
import { DEFAULT_EXPORT_SYNC_MAX, type ExportLimits } from '../shared/data-subjects/export-size.js';
import { CRASH_POINTS, type CrashPoint } from '../shared/envelope/deps.js';
import { JOB_KINDS, type JobKind } from '../shared/jobs/ports.js';
import { toPem } from '../shared/pki/certificate.js';
import type { KeySpec } from '../shared/pki/key-signer.js';
import { type FaultInjection, parseFaultInjection } from './aws/fault-injection.js';

/** Configuration, parsed once at the entry point. Nothing below the entry points reads process.env. */
export interface Config {
  readonly port: number;
  readonly publicUrl: string;
  readonly region: string;
  /** Set for LocalStack/moto; absent on real AWS. */
  readonly endpoint?: string;
  /** AWS_ENDPOINT_URL_DYNAMODB without AWS_ENDPOINT_URL: DynamoDB alone elsewhere (the SDK's clients read it themselves; functions/aws/dynamo-document-client.ts does not). */
  readonly dynamodbEndpoint?: string;
  /** Credentials for the local endpoint (dummy ones unless AWS_ACCESS_KEY_ID is set). */
  readonly endpointCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** KYSO_AWS_REQUEST_TIMEOUT_MS: each AWS call attempt's response timeout (default 20 s, functions/aws/clients.ts); tests shorten it. */
  readonly awsRequestTimeoutMs?: number;
  readonly tableName: string;
  readonly bucketName: string;
  readonly mailFrom: string;
  /** KYSO_SES_CONFIGURATION_SET: the stack's SES configuration set (TLS required, suppression, metrics). */
  readonly sesConfigurationSet?: string;
  /**
   * KYSO_SES_SEND_EVENT_WAIT_MS: how long an owed email whose earlier attempt died mid-hand-over waits
   * for SES's Send event before it is sent again (default 5 minutes; 10 s locally, where the event is at once).
   */
  readonly sesSendEventWaitMs: number;
  readonly keySpec: KeySpec;
  /** Local mode: the dev tenant, /dev/mail, bootstrap on start. */
  readonly local: boolean;
  readonly devApiKey?: string;
  /** KYSO_ADMIN_KEY: the admin key itself (tests, scripts). */
  readonly adminKey?: string;
  /** KYSO_ADMIN_KEY_SECRET_ID: the Secrets Manager secret holding the admin key (the deployed stack; npm start). */
  readonly adminKeySecretId?: string;
  /**
   * KYSO_PROVIDER_SECRETS_ID: a Secrets Manager secret holding the providers' credentials as JSON
   * fields (znsSecretKey, znsRefreshToken, znsOaSecretKey, ekycApiKey, oidcClientSecret); each is
   * used when its KYSO_* variable is not set. The deployed stack makes it; the operator fills it in.
   */
  readonly providerSecretsId?: string;
  /**
   * KYSO_TRUSTED_ROOTS: PEM certificates of CA roots trusted besides the platform root, or the
   * path of a directory of PEM/DER files (.pem, .crt, .cer, .der), read once at start.
   */
  readonly trustedRootsPem?: string;
  /** KYSO_VERIFY_FETCH_CRLS=1: POST /v1/verify fetches CRLs named in the file's certificates. */
  readonly verifyFetchCrls?: boolean;
  /** KYSO_REMOTE_SIGNING_PROVIDERS: the deployment's remote-signing CAs (CSC API v2), offered to every tenant's signers. */
  readonly remoteSigningProviders: readonly RemoteSigningProviderConfig[];
  /** How long a two-phase signing session (own certificate) may be completed; KYSO_SIGNING_SESSION_TTL_SECONDS, default 600. */
  readonly signingSessionTtlMs: number;
  readonly linkTtlDays: number;
  /** Default lifetime of a sent envelope when the request has no expiresAt: KYSO_ENVELOPE_TTL_DAYS, 30. */
  readonly envelopeTtlDays: number;
  /** Default reminders: KYSO_REMINDER_DELAY_HOURS (48), KYSO_REMINDER_INTERVAL_HOURS (48), KYSO_REMINDER_MAX (3; 0 = none). */
  readonly reminders: { readonly delayHours: number; readonly intervalHours: number; readonly max: number };
  /** KYSO_TSA_URLS: comma-separated RFC 3161 URLs tried before the platform TSA. */
  readonly tsaUrls: readonly string[];
  readonly tsaTimeoutMs: number;
  /** KYSO_TSA_REQUIRED=external: every signature needs a timestamp from an external TSA; no platform fallback. */
  readonly tsaRequired?: 'external';
  readonly maxUploadBytes: number;
  /** KYSO_MAX_PRESIGNED_UPLOAD_BYTES: largest PDF accepted through a presigned upload. */
  readonly maxPresignedUploadBytes: number;
  readonly keyAliasPrefix: string;
  /** SQS queue per job kind (KYSO_QUEUE_<KIND>_URL); locally the bootstrap creates them and fills these in. */
  readonly queueUrls: Partial<Record<JobKind, string>>;
  /**
   * Local only (set by bootstrapResources): the queue subscribed to the SES events topic, which
   * `npm start` polls in place of the stack's SNS → Lambda subscription (functions/messaging/ses-events.ts).
   */
  readonly mailEventsQueueUrl?: string;
  /** Webhook retries: first delay (KYSO_WEBHOOK_BACKOFF_BASE_MS, 30 s), doubling, at most KYSO_WEBHOOK_MAX_ATTEMPTS (15) tries. */
  readonly webhookBackoffBaseMs: number;
  readonly webhookMaxAttempts: number;
  /** SMS brand name (sender ID) registered with Vietnamese operators: KYSO_SMS_SENDER_ID. */
  readonly smsSenderId?: string;
  /** Zalo ZNS (KYSO_ZNS_*): absent = no Zalo channel on this deployment. */
  readonly zns?: ZnsConfig;
  /** KYSO_TRUSTED_PROXIES (0): how many proxies of ours append to X-Forwarded-For; 0 = the header is ignored. */
  readonly trustedProxies: number;
  /** Requests per minute: KYSO_RATE_LIMIT_IP (300) per client IP on public and signer routes, KYSO_RATE_LIMIT_TENANT (1200) per tenant. */
  readonly rateLimitPerIp: number;
  /** KYSO_LOGIN_LIMIT_IP (50): failed console sign-ins per client address per 15 minutes (shared/console/sign-in.ts). */
  readonly loginLimitPerIp: number;
  readonly rateLimitPerTenant: number;
  /** KYSO_HOST: the address `npm start` binds (127.0.0.1 unless told otherwise). */
  readonly host: string;
  /** Identity proofing (KYSO_EKYC_*, KYSO_OIDC_*); a provider absent = that method unavailable. */
  readonly identity: IdentityConfig;
  /**
   * Test mode: KYSO_FAULT_RATE (0..0.5) of AWS call attempts fail with KYSO_FAULT_KINDS
   * (throttling, timeout, 5xx; late-timeout on request) — functions/aws/fault-injection.ts. Never in production.
   */
  readonly faults?: FaultInjection;
  /**
   * The national e-labour-contract platform (PROVISIONAL protocol, functions/labour/): KYSO_LABOUR_PLATFORM_URL,
   * _CLIENT_ID, _CLIENT_SECRET (or _CLIENT_SECRET_ID: a Secrets Manager secret, read once per container), _TIMEOUT_MS (10000); retries KYSO_LABOUR_BACKOFF_BASE_MS (60000, doubling, ≤ 1 h);
   * polling of accepted submissions KYSO_LABOUR_POLL_MS (60000). `npm start` runs a local test platform when unset.
   */
  readonly labourPlatform?: {
    readonly url: string;
    readonly clientId: string;
    /** KYSO_LABOUR_PLATFORM_CLIENT_SECRET (local, tests) … */
    readonly clientSecret?: string;
    /** … or KYSO_LABOUR_PLATFORM_CLIENT_SECRET_ID: the Secrets Manager secret holding it (the deployed stack). */
    readonly clientSecretId?: string;
  };
  readonly labourTimeoutMs: number;
  readonly labourBackoffBaseMs: number;
  readonly labourPollMs: number;
  /** KYSO_LABOUR_IDENTITY_REQUIRED: the parties of a labour contract prove their identity (Decree 337); on unless `0`. */
  readonly labourIdentityRequired: boolean;
  /** Local mode only (tests): KYSO_DEV_CRASH_POINT=after-completion-commit (or after-completion-email, completion-email-taken) kills the process there. */
  readonly devCrashPoint?: CrashPoint;
  /** Object Lock of completed envelopes (issue 17): KYSO_LOCK_MODE (GOVERNANCE | COMPLIANCE, default GOVERNANCE). */
  readonly lockMode: 'GOVERNANCE' | 'COMPLIANCE';
  /** KYSO_LOCK_DAYS: minimum retention after completion whatever the tenant's class says (default 0: the class decides). */
  readonly lockFloorDays: number;
  /** KYSO_TIMESTAMP_RENEWAL_MARGIN_DAYS: renew a document timestamp this long before a certificate it relies on expires (365). */
  readonly timestampRenewalMarginDays: number;
  /**
   * Personal-data exports (issue 17) above KYSO_EXPORT_SYNC_MAX_ENVELOPES (20) envelopes or
   * KYSO_EXPORT_SYNC_MAX_DOCUMENTS (40) signed documents are jobs (202); a request may lower these, never raise them.
   */
  readonly exportSyncMax: ExportLimits;
}

/**
 * A provider credential: given in the environment (local mode, tests) or, on the deployed stack,
 * a field of the provider-secrets secret named by KYSO_PROVIDER_SECRETS_ID (read when first needed).
 */
export type Credential = { readonly value: string } | { readonly secretField: string };

/** `KYSO_X` when set, else field `field` of the provider-secrets secret when there is one. */
const credential = (env: NodeJS.ProcessEnv, name: string, field: string): Credential | undefined =>
  env[name] ? { value: env[name] as string } : env.KYSO_PROVIDER_SECRETS_ID ? { secretField: field } : undefined;

/** One of the deployment's remote-signing CAs; the secret from the environment value or a provider-secrets field. */
export interface RemoteSigningProviderConfig {
  readonly id: string;
  readonly name: string;
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: Credential;
}

/**
 * KYSO_REMOTE_SIGNING_PROVIDERS: a JSON array of `{id, name, baseUrl, clientId, clientSecret}`
 * (or `clientSecretField`: a field of the KYSO_PROVIDER_SECRETS_ID secret, as on AWS). Ids are
 * lowercase words; `default` and `rsp_…` belong to tenants' own providers.
 */
const remoteSigningProviders = (env: NodeJS.ProcessEnv): RemoteSigningProviderConfig[] => {
  const raw = env.KYSO_REMOTE_SIGNING_PROVIDERS?.trim();
  if (!raw) return [];
  const bad = (why: string) => new Error(`KYSO_REMOTE_SIGNING_PROVIDERS: ${why}`);
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw bad('must be a JSON array');
  }
  if (!Array.isArray(list)) throw bad('must be a JSON array');
  const seen = new Set<string>();
  return list.map((p: Record<string, unknown>, i) => {
    const text = (k: string) => {
      if (typeof p?.[k] !== 'string' || !(p[k] as string).trim()) throw bad(`entry ${i} needs "${k}"`);
      return (p[k] as string).trim();
    };
    const id = text('id');
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(id) || id === 'default' || seen.has(id))
      throw bad(`entry ${i}: id "${id}" is not a unique lowercase word`);
    seen.add(id);
    const baseUrl = text('baseUrl');
    if (!URL.canParse(baseUrl)) throw bad(`entry ${i}: baseUrl is not a URL`);
    const clientSecret: Credential | undefined =
      typeof p.clientSecret === 'string' && p.clientSecret
        ? { value: p.clientSecret }
        : typeof p.clientSecretField === 'string' && p.clientSecretField
          ? { secretField: p.clientSecretField }
          : undefined;
    if (!clientSecret) throw bad(`entry ${i} needs "clientSecret" or "clientSecretField"`);
    return { id, name: text('name'), baseUrl, clientId: text('clientId'), clientSecret };
  });
};

export interface IdentityConfig {
  readonly ekyc?: { readonly url: string; readonly apiKey: Credential; readonly name: string };
  readonly oidc?: {
    readonly issuer: string;
    readonly clientId: string;
    /** A confidential client's secret (KYSO_OIDC_CLIENT_SECRET or the `oidcClientSecret` field); none for a public PKCE client. */
    readonly clientSecret?: Credential;
    readonly idNumberClaim: string;
    readonly requiredAcr?: string;
    readonly name: string;
  };
  /** KYSO_IDENTITY_MIN_FACE_MATCH: lowest face-match score accepted, 0..1 (default 0.8). */
  readonly minFaceMatch: number;
  /** KYSO_IDENTITY_KMS_KEY_ID: SSE-KMS key for ID images (default: the bucket's aws:kms key). */
  readonly imageKmsKeyId?: string;
}

const identityConfig = (env: NodeJS.ProcessEnv): IdentityConfig => {
  const minFaceMatch = Number(env.KYSO_IDENTITY_MIN_FACE_MATCH ?? 0.8);
  if (!(minFaceMatch > 0 && minFaceMatch <= 1)) throw new Error('KYSO_IDENTITY_MIN_FACE_MATCH must be in (0, 1]');
  const ekycKey = credential(env, 'KYSO_EKYC_API_KEY', 'ekycApiKey');
  // A public OIDC client has no secret: only KYSO_OIDC_CONFIDENTIAL=1 reads one from the provider-credentials secret.
  const oidcSecret = env.KYSO_OIDC_CLIENT_SECRET
    ? { value: env.KYSO_OIDC_CLIENT_SECRET }
    : env.KYSO_OIDC_CONFIDENTIAL === '1' && env.KYSO_PROVIDER_SECRETS_ID
      ? { secretField: 'oidcClientSecret' }
      : undefined;
  return {
    ...(env.KYSO_EKYC_URL && ekycKey
      ? { ekyc: { url: env.KYSO_EKYC_URL.replace(/\/+$/, ''), apiKey: ekycKey, name: env.KYSO_EKYC_NAME ?? 'ekyc' } }
      : {}),
    ...(env.KYSO_OIDC_ISSUER && env.KYSO_OIDC_CLIENT_ID
      ? {
          oidc: {
            issuer: env.KYSO_OIDC_ISSUER.replace(/\/+$/, ''),
            clientId: env.KYSO_OIDC_CLIENT_ID,
            ...(oidcSecret ? { clientSecret: oidcSecret } : {}),
            idNumberClaim: env.KYSO_OIDC_ID_NUMBER_CLAIM ?? 'id_number',
            ...(env.KYSO_OIDC_REQUIRED_ACR ? { requiredAcr: env.KYSO_OIDC_REQUIRED_ACR } : {}),
            name: env.KYSO_OIDC_NAME ?? 'vneid-oidc',
          },
        }
      : {}),
    minFaceMatch,
    ...(env.KYSO_IDENTITY_KMS_KEY_ID ? { imageKmsKeyId: env.KYSO_IDENTITY_KMS_KEY_ID } : {}),
  };
};

export interface ZnsConfig {
  readonly apiUrl: string;
  readonly oauthUrl: string;
  readonly appId: string;
  /** KYSO_ZNS_SECRET_KEY or the `znsSecretKey` field. */
  readonly secretKey: Credential;
  /** The first refresh token (KYSO_ZNS_REFRESH_TOKEN or `znsRefreshToken`); rotated ones are kept in the table. */
  readonly refreshToken: Credential;
  /** Verifies the X-ZEvent-Signature of delivery callbacks (POST /callbacks/zalo): KYSO_ZNS_OA_SECRET_KEY or `znsOaSecretKey`. */
  readonly oaSecretKey?: Credential;
  /** Approved template id per message kind: KYSO_ZNS_TEMPLATES="invitation=…,reminder=…,otp=…,completed=…". */
  readonly templates: Readonly<Record<string, string>>;
}

const znsConfig = (env: NodeJS.ProcessEnv): ZnsConfig | undefined => {
  if (!env.KYSO_ZNS_APP_ID) return undefined;
  const need = (name: string, field: string) => {
    const v = credential(env, name, field);
    if (!v) throw new Error(`${name} (or KYSO_PROVIDER_SECRETS_ID with "${field}") is required when KYSO_ZNS_APP_ID is set`);
    return v;
  };
  const templates = Object.fromEntries(
    (env.KYSO_ZNS_TEMPLATES ?? '')
      .split(',')
      .map((p) => p.trim().split('='))
      .filter((kv): kv is [string, string] => kv.length === 2 && !!kv[0] && !!kv[1]),
  );
  return {
    apiUrl: (env.KYSO_ZNS_API_URL ?? 'https://business.openapi.zalo.me').replace(/\/+$/, ''),
    oauthUrl: (env.KYSO_ZNS_OAUTH_URL ?? 'https://oauth.zaloapp.com').replace(/\/+$/, ''),
    appId: env.KYSO_ZNS_APP_ID,
    secretKey: need('KYSO_ZNS_SECRET_KEY', 'znsSecretKey'),
    refreshToken: need('KYSO_ZNS_REFRESH_TOKEN', 'znsRefreshToken'),
    ...(credential(env, 'KYSO_ZNS_OA_SECRET_KEY', 'znsOaSecretKey')
      ? { oaSecretKey: credential(env, 'KYSO_ZNS_OA_SECRET_KEY', 'znsOaSecretKey') as Credential }
      : {}),
    templates,
  };
};

const KEY_SPECS: readonly KeySpec[] = ['ECC_NIST_P256', 'RSA_2048', 'RSA_3072'];

const positive = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
};

const tsaRequired = (raw: string | undefined): { tsaRequired?: 'external' } => {
  if (!raw) return {};
  if (raw !== 'external') throw new Error(`KYSO_TSA_REQUIRED must be "external" or unset, got "${raw}"`);
  return { tsaRequired: 'external' };
};

const CERT_FILE = /\.(pem|crt|cer|der)$/i;

/**
 * KYSO_TRUSTED_ROOTS is PEM text, or a directory an operator drops the national root and the
 * licensed CAs' certificates into (PEM or DER, one or more per file): returned as PEM text.
 */
const trustedRootsPem = (value: string): string => {
  if (value.includes('-----BEGIN')) return value;
  const isDirectory = (() => {
    try {
      return statSync(value).isDirectory();
    } catch {
      return false;
    }
  })();
  if (!isDirectory) throw new Error('KYSO_TRUSTED_ROOTS must hold PEM certificates or name a directory of PEM/DER files');
  const files = readdirSync(value)
    .filter((f) => CERT_FILE.test(f))
    .sort();
  const pems = files.map((f) => {
    const bytes = readFileSync(join(value, f));
    const text = bytes.toString('latin1');
    if (text.includes('-----BEGIN CERTIFICATE-----')) return text;
    if (bytes[0] !== 0x30) throw new Error(`KYSO_TRUSTED_ROOTS: ${f} is neither PEM nor DER`);
    return toPem(new Uint8Array(bytes));
  });
  return pems.join('\n');
};

const lockModeOf = (raw: string | undefined): 'GOVERNANCE' | 'COMPLIANCE' => {
  if (raw === undefined || raw === '') return 'GOVERNANCE';
  if (raw !== 'GOVERNANCE' && raw !== 'COMPLIANCE') throw new Error(`KYSO_LOCK_MODE must be GOVERNANCE or COMPLIANCE, got "${raw}"`);
  return raw;
};

const faultsOf = (env: NodeJS.ProcessEnv): { faults?: FaultInjection } => {
  const faults = parseFaultInjection(env.KYSO_FAULT_RATE, env.KYSO_FAULT_KINDS);
  return faults ? { faults } : {};
};

/** Whether this process is a Lambda function (the runtime sets AWS_LAMBDA_FUNCTION_NAME): decides what is loaded at all. */
export const runsOnLambda = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env.AWS_LAMBDA_FUNCTION_NAME);

/** Lambda sets the invocation's trace header here while it runs a handler (none at init, between invocations). */
export const inTracedInvocation = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env._X_AMZN_TRACE_ID);

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const keySpec = (env.KYSO_KEY_SPEC ?? 'ECC_NIST_P256') as KeySpec;
  if (!KEY_SPECS.includes(keySpec)) throw new Error(`KYSO_KEY_SPEC must be one of ${KEY_SPECS.join(', ')}, got "${keySpec}"`);
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const isLocal = env.KYSO_LOCAL === '1' || (env.KYSO_LOCAL !== '0' && !!endpoint);
  return {
    port,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'ap-southeast-1',
    ...(endpoint
      ? {
          endpoint,
          endpointCredentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test',
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test',
          },
        }
      : {}),
    ...(!endpoint && env.AWS_ENDPOINT_URL_DYNAMODB ? { dynamodbEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
    ...(Number(env.KYSO_AWS_REQUEST_TIMEOUT_MS) > 0 ? { awsRequestTimeoutMs: Number(env.KYSO_AWS_REQUEST_TIMEOUT_MS) } : {}),
    tableName: env.KYSO_TABLE ?? 'kyso',
    bucketName: env.KYSO_BUCKET ?? 'kyso-documents',
    mailFrom: env.KYSO_MAIL_FROM ?? 'no-reply@kyso.local',
    ...(env.KYSO_SES_CONFIGURATION_SET ? { sesConfigurationSet: env.KYSO_SES_CONFIGURATION_SET } : {}),
    sesSendEventWaitMs: positive(env, 'KYSO_SES_SEND_EVENT_WAIT_MS', isLocal ? 10_000 : 300_000),
    keySpec,
    local: isLocal,
    ...(env.KYSO_API_KEY ? { devApiKey: env.KYSO_API_KEY } : {}),
    ...(env.KYSO_ADMIN_KEY ? { adminKey: env.KYSO_ADMIN_KEY } : {}),
    ...(env.KYSO_ADMIN_KEY_SECRET_ID ? { adminKeySecretId: env.KYSO_ADMIN_KEY_SECRET_ID } : {}),
    ...(env.KYSO_PROVIDER_SECRETS_ID ? { providerSecretsId: env.KYSO_PROVIDER_SECRETS_ID } : {}),
    ...(env.KYSO_TRUSTED_ROOTS ? { trustedRootsPem: trustedRootsPem(env.KYSO_TRUSTED_ROOTS) } : {}),
    ...(env.KYSO_VERIFY_FETCH_CRLS === '1' ? { verifyFetchCrls: true } : {}),
    remoteSigningProviders: remoteSigningProviders(env),
    signingSessionTtlMs: Number(env.KYSO_SIGNING_SESSION_TTL_SECONDS ?? 600) * 1000,
    linkTtlDays: Number(env.KYSO_LINK_TTL_DAYS ?? 30),
    envelopeTtlDays: positive(env, 'KYSO_ENVELOPE_TTL_DAYS', 30),
    reminders: {
      delayHours: positive(env, 'KYSO_REMINDER_DELAY_HOURS', 48),
      intervalHours: positive(env, 'KYSO_REMINDER_INTERVAL_HOURS', 48),
      max: env.KYSO_REMINDER_MAX === '0' ? 0 : positive(env, 'KYSO_REMINDER_MAX', 3),
    },
    tsaUrls: (env.KYSO_TSA_URLS ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    tsaTimeoutMs: Number(env.KYSO_TSA_TIMEOUT_MS ?? 5000),
    ...tsaRequired(env.KYSO_TSA_REQUIRED),
    maxUploadBytes: Number(env.KYSO_MAX_UPLOAD_BYTES ?? 4 * 1024 * 1024),
    maxPresignedUploadBytes: Number(env.KYSO_MAX_PRESIGNED_UPLOAD_BYTES ?? 50 * 1024 * 1024),
    keyAliasPrefix: env.KYSO_KEY_ALIAS_PREFIX ?? 'alias/kyso',
    queueUrls: Object.fromEntries(
      JOB_KINDS.flatMap((k) => {
        const url = env[`KYSO_QUEUE_${k.toUpperCase()}_URL`];
        return url ? [[k, url]] : [];
      }),
    ),
    webhookBackoffBaseMs: positive(env, 'KYSO_WEBHOOK_BACKOFF_BASE_MS', 30_000),
    webhookMaxAttempts: positive(env, 'KYSO_WEBHOOK_MAX_ATTEMPTS', 15),
    ...(env.KYSO_SMS_SENDER_ID ? { smsSenderId: env.KYSO_SMS_SENDER_ID } : {}),
    ...(znsConfig(env) ? { zns: znsConfig(env) } : {}),
    trustedProxies:
      env.KYSO_TRUSTED_PROXIES === undefined || env.KYSO_TRUSTED_PROXIES === '0' ? 0 : positive(env, 'KYSO_TRUSTED_PROXIES', 0),
    host: env.KYSO_HOST || '127.0.0.1',
    rateLimitPerIp: positive(env, 'KYSO_RATE_LIMIT_IP', 300),
    loginLimitPerIp: positive(env, 'KYSO_LOGIN_LIMIT_IP', LOGIN_LIMITS.ip.limit),
    rateLimitPerTenant: positive(env, 'KYSO_RATE_LIMIT_TENANT', 1200),
    identity: identityConfig(env),
    ...faultsOf(env),
    ...(env.KYSO_LABOUR_PLATFORM_URL
      ? {
          labourPlatform: {
            url: env.KYSO_LABOUR_PLATFORM_URL,
            clientId: env.KYSO_LABOUR_PLATFORM_CLIENT_ID ?? '',
            ...(env.KYSO_LABOUR_PLATFORM_CLIENT_SECRET_ID && !env.KYSO_LABOUR_PLATFORM_CLIENT_SECRET
              ? { clientSecretId: env.KYSO_LABOUR_PLATFORM_CLIENT_SECRET_ID }
              : { clientSecret: env.KYSO_LABOUR_PLATFORM_CLIENT_SECRET ?? '' }),
          },
        }
      : {}),
    labourTimeoutMs: positive(env, 'KYSO_LABOUR_PLATFORM_TIMEOUT_MS', 10_000),
    labourBackoffBaseMs: positive(env, 'KYSO_LABOUR_BACKOFF_BASE_MS', 60_000),
    labourPollMs: positive(env, 'KYSO_LABOUR_POLL_MS', 60_000),
    labourIdentityRequired: env.KYSO_LABOUR_IDENTITY_REQUIRED !== '0',
    ...(CRASH_POINTS.includes(env.KYSO_DEV_CRASH_POINT as CrashPoint) ? { devCrashPoint: env.KYSO_DEV_CRASH_POINT as CrashPoint } : {}),
    lockMode: lockModeOf(env.KYSO_LOCK_MODE),
    lockFloorDays: env.KYSO_LOCK_DAYS === '0' ? 0 : positive(env, 'KYSO_LOCK_DAYS', 0),
    timestampRenewalMarginDays: positive(env, 'KYSO_TIMESTAMP_RENEWAL_MARGIN_DAYS', 365),
    exportSyncMax: {
      envelopes:
        env.KYSO_EXPORT_SYNC_MAX_ENVELOPES === '0' ? 0 : positive(env, 'KYSO_EXPORT_SYNC_MAX_ENVELOPES', DEFAULT_EXPORT_SYNC_MAX.envelopes),
      documents:
        env.KYSO_EXPORT_SYNC_MAX_DOCUMENTS === '0' ? 0 : positive(env, 'KYSO_EXPORT_SYNC_MAX_DOCUMENTS', DEFAULT_EXPORT_SYNC_MAX.documents),
    },
  };
};
