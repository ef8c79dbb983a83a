/**
 * The client's transport: `fetch` plus the two things every integrator ends up writing by hand.
 *
 * - **Idempotency keys**: every POST without an `Idempotency-Key` gets a fresh random one, so a
 *   retry (ours, or the caller's with the same `Request`) is answered from the server's stored
 *   response instead of running twice (the server keeps keys 24 h; see functions/api/idempotency.ts).
 * - **Retries** with exponential backoff and full jitter on 429, 500, 502, 503, 504 and on network errors, honouring `Retry-After` (seconds or an
 *   HTTP date) up to `maxDelayMs`. A POST is retried only when it carries an idempotency key;
 *   PUT/DELETE/GET are idempotent by definition.
 */
export interface RetryOptions {
  /** Attempts in all, the first included (default 4; 1 = no retries). */
  readonly maxAttempts?: number;
  /** First backoff (default 250 ms); doubles per attempt, with full jitter. */
  readonly baseDelayMs?: number;
  /** Longest single wait, also the cap on Retry-After (default 20 s). */
  readonly maxDelayMs?: number;
  /** Statuses that are retried (default 429, 500, 502, 503, 504). */
  readonly statuses?: readonly number[];
  /** Retry when fetch itself throws (connection refused/reset, DNS) (default true). */
  readonly networkErrors?: boolean;
}

export interface TransportOptions {
  readonly retry?: RetryOptions;
  /** Add an Idempotency-Key to POSTs that have none (default true). */
  readonly idempotencyKeys?: boolean;
  /** The underlying fetch (default globalThis.fetch). */
  readonly fetch?: typeof fetch;
  /** Injected for tests: how to wait, and the jitter source. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Makes a key (default crypto.randomUUID()). */
  readonly newIdempotencyKey?: () => string;
}

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const DEFAULT_RETRY_STATUSES: readonly number[] = [429, 500, 502, 503, 504];

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export const retryAfterMs = (value: string | null, now: number = Date.now()): number | undefined => {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};

/** Full-jitter exponential backoff for the n-th retry (1-based). */
export const backoffMs = (retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number =>
  Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1)));

const isSafeToRepeat = (req: Request) =>
  req.method === 'GET' || req.method === 'HEAD' || req.method === 'PUT' || req.method === 'DELETE' || req.headers.has(IDEMPOTENCY_HEADER);

/** A `typeof fetch` with idempotency keys and retries (see above). */
export const createTransport = (options: TransportOptions = {}): typeof fetch => {
  const inner = options.fetch ?? globalThis.fetch.bind(globalThis);
  const retry = options.retry ?? {};
  const maxAttempts = Math.max(1, retry.maxAttempts ?? 4);
  const baseDelayMs = retry.baseDelayMs ?? 250;
  const maxDelayMs = retry.maxDelayMs ?? 20_000;
  const statuses = new Set(retry.statuses ?? DEFAULT_RETRY_STATUSES);
  const networkErrors = retry.networkErrors ?? true;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const newKey = options.newIdempotencyKey ?? (() => crypto.randomUUID());

  return async (input, init) => {
    const request = new Request(input, init);
    if (request.method === 'POST' && options.idempotencyKeys !== false && !request.headers.has(IDEMPOTENCY_HEADER)) {
      request.headers.set(IDEMPOTENCY_HEADER, newKey());
    }
    // A request may be repeated only if doing it twice cannot do twice what it does.
    const repeatable = isSafeToRepeat(request);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= maxAttempts || !repeatable;
      let response: Response;
      try {
        response = await inner(last ? request : request.clone());
      } catch (error) {
        if (last || !networkErrors || request.signal.aborted) throw error;
        await sleep(backoffMs(attempt, baseDelayMs, maxDelayMs, random));
        continue;
      }
      // A keyed POST that answered 5xx released its key server-side, so repeating it is safe too.
      if (last || !statuses.has(response.status)) return response;
      const hinted = retryAfterMs(response.headers.get('retry-after'));
      const wait = Math.min(maxDelayMs, hinted ?? backoffMs(attempt, baseDelayMs, maxDelayMs, random));
      // The body of a response we drop is released, so the connection can be reused.
      await response.body?.cancel().catch(() => undefined);
      await sleep(wait);
    }
  };
};
