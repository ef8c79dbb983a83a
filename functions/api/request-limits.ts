import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../../shared/errors.js';
import type { AppEnv } from './context.js';

/** Any request without a larger allowance below (JSON actions, PEM uploads, drawn signatures). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The largest body a path may carry. Routes keep their own precise limits; this one runs
 * first, for every route, before anything reads the body (authentication, Idempotency-Key
 * hashing, parsing), so no request is ever buffered beyond what its route could accept.
 */
export const bodyLimitFor = (path: string, maxUploadBytes: number): number => {
  const base64 = Math.ceil(maxUploadBytes * 1.4);
  const p = path.replace(/^\/app\/api\//, '/v1/');
  if (/^\/v1\/envelopes(\/|$)/.test(p)) return base64 * 3;
  if (/^\/v1\/templates(\/|$)/.test(p)) return base64 + 512 * 1024;
  if (/^\/v1\/(bulk|verify)$/.test(p)) return maxUploadBytes + 64 * 1024;
  return DEFAULT_BODY_LIMIT;
};

/** Refuses an oversized body with 413 payload_too_large: by Content-Length at once, else while it streams in. */
export const requestLimits = (options: { maxUploadBytes: number }) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const maxSize = bodyLimitFor(c.req.path, options.maxUploadBytes);
    const limit = bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('payload_too_large', `The request body is larger than ${Math.ceil(maxSize / 1024)} KiB.`);
      },
    });
    return limit(c, next);
  });
