import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/openapi.js';
import { createTransport, type RetryOptions, type TransportOptions } from './transport.js';

export type { components, operations, paths } from './generated/openapi.js';
export {
  backoffMs,
  createTransport,
  DEFAULT_RETRY_STATUSES,
  IDEMPOTENCY_HEADER,
  type RetryOptions,
  retryAfterMs,
  type TransportOptions,
} from './transport.js';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  verifyWebhookRequest,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookVerification,
} from './webhooks.js';

export type Envelope = components['schemas']['Envelope'];
export type ApiError = components['schemas']['Error'];

export interface KysoClientOptions extends TransportOptions {
  /** Where the API is, e.g. https://kyso.example.vn (no trailing /v1). */
  readonly baseUrl: string;
  /** The tenant's API key (`kyso_…`), sent as a bearer token; omit for public and signer-token routes. */
  readonly apiKey?: string;
  readonly retry?: RetryOptions;
}

export interface KysoClient {
  /**
   * Typed calls checked against /openapi.json (openapi-fetch):
   * `await kyso.api.POST('/v1/envelopes/{id}/send', { params: { path: { id } } })` → `{ data, error, response }`.
   */
  readonly api: Client<paths>;
  /** The same transport for anything else (a path built at run time, a binary body): `fetch` relative to baseUrl. */
  readonly fetch: (path: string, init?: RequestInit) => Promise<Response>;
}

/**
 * A client for the Kyso API: typed operations generated from /openapi.json, every POST with an
 * Idempotency-Key, retries on 429/5xx/network errors with backoff honouring Retry-After.
 */
export const createKysoClient = (options: KysoClientOptions): KysoClient => {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const transport = createTransport(options);
  const authorised: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    if (options.apiKey && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${options.apiKey}`);
    return transport(request);
  };
  return {
    api: createFetchClient<paths>({ baseUrl, fetch: authorised }),
    fetch: (path, init) => authorised(`${baseUrl}${path.startsWith('/') ? path : `/${path}`}`, init),
  };
};
