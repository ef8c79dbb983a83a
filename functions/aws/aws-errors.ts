/**
 * The one place that tells an AWS dependency being unavailable (network down, timeout, throttled,
 * 5xx) from every other failure. The SDK has already retried such a call (standard strategy, 3
 * attempts); what still fails here is answered 503 `service_unavailable` with `Retry-After`
 * (functions/api/errors.ts), never a 500: the caller did nothing wrong and can try again.
 */
export type AwsUnavailability = 'throttled' | 'timeout' | 'network' | 'server';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Service-side failures that some services report with a 4xx-looking name (KMS, DynamoDB). */
const SERVER_NAMES = new Set([
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'DependencyTimeoutException',
]);

interface SdkLike {
  readonly name?: string;
  readonly code?: string;
  readonly cause?: unknown;
  readonly $fault?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

const classifyOne = (e: SdkLike): AwsUnavailability | undefined => {
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING.has(name) || status === 429 || e.$retryable?.throttling) return 'throttled';
  if (TIMEOUT_NAMES.has(name) || e.code === 'ETIMEDOUT') return 'timeout';
  if (e.code && NETWORK_CODES.has(e.code)) return 'network';
  if (SERVER_NAMES.has(name) || (status !== undefined && status >= 500) || (e.$fault === 'server' && status === undefined)) return 'server';
  return undefined;
};

/** Why an AWS call failed, if the dependency was unavailable; undefined for every other error. Follows `cause` chains. */
export const classifyAwsError = (error: unknown): AwsUnavailability | undefined => {
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e && typeof e === 'object'; depth++) {
    const kind = classifyOne(e as SdkLike);
    if (kind) return kind;
    e = (e as SdkLike).cause;
  }
  return undefined;
};

/** Seconds a caller should wait before retrying: short for throttling, longer for an outage. */
export const retryAfterSeconds = (kind: AwsUnavailability): number => (kind === 'throttled' ? 2 : 5);
