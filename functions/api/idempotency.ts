import { createMiddleware } from 'hono/factory';
import type { Clock } from '../../shared/envelope/ports.js';
import { AppError } from '../../shared/errors.js';
import { sha256Hex } from '../../shared/util/bytes.js';
import type { Logger } from '../logger.js';
import type { AppEnv } from './context.js';

/** The first response to a request with an Idempotency-Key, as replayed to its retries. */
export interface StoredResponse {
  readonly status: number;
  readonly contentType?: string;
  readonly bodyBase64: string;
}

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly response?: StoredResponse;
}

export interface IdempotencyStore {
  /**
   * Claims `key` for a request with this body hash, atomically: returns undefined when the
   * caller now owns it (no record, an expired one, or one whose owner died holding it until
   * `staleAfter`), else the record that is there (in progress = no response yet).
   */
  claim(key: string, requestHash: string, now: Date): Promise<IdempotencyRecord | undefined>;
  complete(key: string, response: StoredResponse): Promise<void>;
  /** Forgets the key, so a retry runs again (after a 5xx: nothing is known to have happened). */
  release(key: string): Promise<void>;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** A claim older than this belongs to a request that died (the API Lambda times out at 29 s). */
export const IDEMPOTENCY_STALE_SECONDS = 60;
const MAX_STORED_BODY = 300 * 1024;

/**
 * What "the same request" means: the body bytes, or for multipart the parts' names and
 * contents (the boundary is random per request, so two identical retries differ in bytes).
 */
const requestHash = async (req: Request): Promise<string> => {
  const type = req.headers.get('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await req
      .clone()
      .formData()
      .catch(() => undefined);
    if (form) {
      const entries: [string, FormDataEntryValue][] = [];
      form.forEach((value, name) => {
        entries.push([name, value]);
      });
      const parts: string[] = [];
      for (const [name, value] of entries) {
        const content =
          typeof value === 'string' ? sha256Hex(value) : `${value.name}:${sha256Hex(new Uint8Array(await value.arrayBuffer()))}`;
        parts.push(`${name}=${content}`);
      }
      return sha256Hex(`multipart\n${parts.join('\n')}`);
    }
  }
  return sha256Hex(new Uint8Array(await req.clone().arrayBuffer()));
};

/** Whose key it is: the tenant (after tenantAuth), else the credential or signing token the request carries. */
const scopeOf = (c: { get(k: 'tenantId'): string | undefined; req: { header(n: string): string | undefined; path: string } }) => {
  const tenantId = c.get('tenantId');
  if (tenantId) return `tenant:${tenantId}`;
  const auth = c.req.header('authorization');
  if (auth) return `auth:${sha256Hex(auth)}`;
  const token = /^\/v1\/sign\/([^/]+)/.exec(c.req.path)?.[1];
  return token ? `token:${sha256Hex(token)}` : 'anonymous';
};

/**
 * `Idempotency-Key` on POST: the first response (status and body, 4xx included) is stored for
 * 24 h under (tenant or token, method, path, key) and returned to every retry, with
 * `Idempotent-Replayed: true`; the request itself runs once. The key is claimed with a
 * conditional write before the handler runs, so two concurrent retries cannot both run: the
 * second gets 409 idempotency_in_progress. The same key with another body is 422
 * idempotency_key_reused. A 5xx is not stored (the key is released): the retry runs again.
 */
export const idempotency = (options: { store: IdempotencyStore; clock: Clock; logger: Logger }) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new AppError('validation_failed', 'Idempotency-Key must be 1–255 printable ASCII characters without spaces.');
    }
    const id = sha256Hex(`${scopeOf(c as never)}\n${c.req.method}\n${c.req.path}\n${key}`);
    const hash = await requestHash(c.req.raw);
    const existing = await options.store.claim(id, hash, options.clock.now());
    if (existing) {
      if (existing.requestHash !== hash) {
        throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.');
      }
      if (!existing.response) {
        throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still running; retry later.');
      }
      const r = existing.response;
      return c.body(new Uint8Array(Buffer.from(r.bodyBase64, 'base64')), r.status as 200, {
        ...(r.contentType ? { 'content-type': r.contentType } : {}),
        'idempotent-replayed': 'true',
      });
    }
    try {
      await next();
    } catch (e) {
      await options.store.release(id);
      throw e;
    }
    if (c.res.status >= 500) {
      await options.store.release(id);
      return;
    }
    const body = new Uint8Array(await c.res.clone().arrayBuffer());
    if (body.length > MAX_STORED_BODY) {
      options.logger.warn('idempotent response too large to store; key released', { requestId: c.get('requestId'), bytes: body.length });
      await options.store.release(id);
      return;
    }
    const contentType = c.res.headers.get('content-type');
    await options.store.complete(id, {
      status: c.res.status,
      ...(contentType ? { contentType } : {}),
      bodyBase64: Buffer.from(body).toString('base64'),
    });
  });
