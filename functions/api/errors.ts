import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { AppError, type ErrorCode } from '../../shared/errors.js';
import { pickLang } from '../../web/signer/i18n.js';
import { classifyAwsError, retryAfterSeconds } from '../aws/aws-errors.js';
import type { Logger } from '../logger.js';
import { ERROR_PAGE_HEADERS, errorPage, isHtmlRoute } from './error-page.js';

/**
 * What a caller is told on a 5xx, per code: fixed text (Vietnamese / English), never the
 * error's own message, which may name internals (a URL, a provider's answer, a placeholder size).
 */
const PUBLIC_5XX: Partial<Record<ErrorCode, string>> = {
  internal: 'Lỗi hệ thống; hãy thử lại sau. / Internal error; try again later.',
  service_unavailable:
    'Một dịch vụ mà Kyso cần đang tạm thời không khả dụng; chưa có gì thay đổi, hãy thử lại sau Retry-After giây. / A service Kyso depends on is unavailable right now; nothing was changed, retry after Retry-After seconds.',
  timestamp_authority_failed:
    'Tổ chức cấp dấu thời gian không trả lời được. / The time-stamping authority did not answer, or answered something unusable.',
  timestamp_unavailable:
    'Không lấy được dấu thời gian từ tổ chức cấp dấu thời gian; chưa có gì được lưu, hãy thử lại sau. / The time-stamping authority did not answer; nothing was stored, try again later.',
  remote_signing_failed:
    'Không liên lạc được với nhà cung cấp ký số từ xa; hãy thử lại sau. / The remote-signing provider is unreachable or answered something unusable; try again later.',
  identity_provider_unavailable:
    'Dịch vụ xác minh danh tính tạm thời không khả dụng; hãy thử lại sau. / The identity provider is not available right now; try again later.',
};

/** The path as logged: link tokens (secrets) replaced by a placeholder. */
const loggedPath = (path: string) => path.replace(/^(\/v1\/sign\/|\/s\/)[^/]+/, '$1:token');

/** A failure's cause for the log: names and codes along the `cause` chain, the first message cut short. */
const causeOf = (err: Error) => {
  const chain: string[] = [];
  for (let e: unknown = err, i = 0; e instanceof Error && i < 4; e = e.cause, i++) {
    chain.push((e as Error & { code?: string }).code ? `${e.name}(${(e as Error & { code?: string }).code})` : e.name);
  }
  return { error: err.name, cause: chain.join(' <- '), reason: err.message.slice(0, 300) };
};

/**
 * The one mapping from failures to HTTP. AppError codes answer their status; an AWS dependency
 * that is down, timing out or throttling (functions/aws/aws-errors.ts) answers 503
 * `service_unavailable` with Retry-After; anything else is a 500 `internal`. Every 5xx is logged
 * with its cause and the request id (500 as an error, a dependency's 5xx as a warning) and
 * answered with a fixed message, never the error's own. HTML routes get an HTML page instead.
 */
export const errorResponse = (err: Error, c: Context, logger: Logger) => {
  const requestId = c.get('requestId' as never) as string | undefined;
  let status: number;
  let body: { code: string; message: string; details?: unknown; requestId?: string };
  let retryAfter: number | undefined;
  if (err instanceof AppError && err.status < 500) {
    status = err.status;
    body = { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  } else if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    status = 400;
    body = {
      code: 'validation_failed',
      message: first ? `${first.path || 'body'}: ${first.message}` : 'Invalid request.',
      details: issues,
    };
  } else if (err instanceof HTTPException && err.status < 500) {
    status = err.status;
    const code =
      status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 401 ? 'unauthorized' : 'bad_request';
    body = { code, message: err.message || 'Bad request.' };
  } else {
    const unavailable = err instanceof AppError ? undefined : classifyAwsError(err);
    const code: ErrorCode = err instanceof AppError ? err.code : unavailable ? 'service_unavailable' : 'internal';
    status = err instanceof AppError ? err.status : unavailable ? 503 : 500;
    if (unavailable) retryAfter = retryAfterSeconds(unavailable);
    else if (status === 503) retryAfter = 30;
    body = { code, message: PUBLIC_5XX[code] ?? (PUBLIC_5XX.internal as string), ...(requestId ? { requestId } : {}) };
    // No request bodies, headers, names or tokens: the code, the cause and where it happened.
    const fields = {
      requestId,
      method: c.req.method,
      path: loggedPath(c.req.path),
      status,
      code,
      ...(unavailable ? { dependency: unavailable } : {}),
      ...causeOf(err),
    };
    if (status === 500) logger.error('request failed', { ...fields, stack: err.stack });
    else logger.warn('request failed: a dependency is unavailable', fields);
  }
  const headers: Record<string, string> = retryAfter ? { 'retry-after': String(retryAfter) } : {};
  if (isHtmlRoute(c.req.method, c.req.path, c.req.header('accept'))) {
    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'));
    return c.body(errorPage(status, lang, requestId), status as 500, { ...ERROR_PAGE_HEADERS, ...headers });
  }
  return c.json({ error: body }, status as 500, headers);
};
