import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { AppError } from '../../shared/errors.js';
import type { Logger } from '../logger.js';

/** The one mapping from failures to HTTP: AppError codes to their status, anything unknown to a bare 500. */
export const errorResponse = (err: Error, c: Context, logger: Logger) => {
  if (err instanceof AppError) {
    return c.json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }, err.status as 400);
  }
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    return c.json(
      {
        error: {
          code: 'validation_failed',
          message: first ? `${first.path || 'body'}: ${first.message}` : 'Invalid request.',
          details: issues,
        },
      },
      400,
    );
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code =
      status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 401 ? 'unauthorized' : 'bad_request';
    return c.json({ error: { code, message: err.message || 'Bad request.' } }, status);
  }
  // Never leak internals: the log gets the error name and stack (no request bodies), the caller a request id.
  const requestId = c.get('requestId' as never) as string | undefined;
  logger.error('unhandled error', { requestId, error: err.name, message: err.message, stack: err.stack });
  return c.json({ error: { code: 'internal', message: 'Internal error.', requestId } }, 500);
};
