import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../../functions/api/context.js';
import { errorResponse } from '../../../functions/api/errors.js';
import { injectedError } from '../../../functions/aws/fault-injection.js';
import { AppError } from '../../../shared/errors.js';

const appThrowing = (err: () => Error) => {
  const lines: Record<string, unknown>[] = [];
  const log = (level: string) => (message: string, data?: Record<string, unknown>) => lines.push({ level, message, ...data });
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('requestId', 'req-1');
    await next();
  });
  const handler = () => {
    throw err();
  };
  app.get('/v1/envelopes/:id', handler);
  app.get('/s/:token', handler);
  app.onError((e, c) => errorResponse(e, c, { info: log('info'), warn: log('warn'), error: log('error') }));
  return { app, lines };
};

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} from the service`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('errorResponse', () => {
  it.each([
    ['connection refused', () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }), '5'],
    ['a DynamoDB 500', () => sdkError('InternalServerError', 500, { $fault: 'server' }), '5'],
    ['KMS throttling', () => sdkError('ThrottlingException', 400), '2'],
    ['DynamoDB throughput', () => sdkError('ProvisionedThroughputExceededException', 400), '2'],
    ['an SDK timeout', () => injectedError('timeout'), '5'],
    [
      'a wrapped network error',
      () => new Error('could not load', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }),
      '5',
    ],
  ])('%s → 503 service_unavailable with Retry-After, logged as a warning', async (_name, err, retryAfter) => {
    const { app, lines } = appThrowing(err);
    const r = await app.request('/v1/envelopes/e1');
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe(retryAfter);
    const body = (await r.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error).toMatchObject({ code: 'service_unavailable', requestId: 'req-1' });
    expect(body.error.message).not.toMatch(/ECONNREFUSED|from the service|reset/);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', requestId: 'req-1', status: 503, code: 'service_unavailable' })]);
  });

  it('a ConditionalCheckFailed or a bug is a 500 internal, logged as an error with its cause and no message leaked', async () => {
    const { app, lines } = appThrowing(() => new TypeError("Cannot read properties of undefined (reading 'x')"));
    const r = await app.request('/v1/envelopes/e1');
    expect(r.status).toBe(500);
    expect(r.headers.get('retry-after')).toBeNull();
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('internal');
    expect(body.error.message).not.toContain('Cannot read');
    expect(lines[0]).toMatchObject({ level: 'error', error: 'TypeError', cause: 'TypeError', path: '/v1/envelopes/e1', status: 500 });
    const { app: app2 } = appThrowing(() => sdkError('ConditionalCheckFailedException', 400));
    expect((await app2.request('/v1/envelopes/e1')).status).toBe(500);
  });

  it('a 5xx AppError answers its code with a fixed message (not its own) and is logged', async () => {
    const { app, lines } = appThrowing(
      () => new AppError('timestamp_authority_failed', 'Timestamp authority https://tsa.internal:8443/x: HTTP 500.'),
    );
    const r = await app.request('/v1/envelopes/e1');
    expect(r.status).toBe(502);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('timestamp_authority_failed');
    expect(body.error.message).not.toContain('tsa.internal');
    expect(body.error.message).toMatch(/dấu thời gian/);
    expect(lines[0]).toMatchObject({ level: 'warn', code: 'timestamp_authority_failed', reason: expect.stringContaining('tsa.internal') });
    const { app: internal, lines: internalLines } = appThrowing(
      () => new AppError('internal', 'signature is 9000 bytes, only 8192 reserved'),
    );
    const answer = (await (await internal.request('/v1/envelopes/e1')).json()) as { error: { message: string } };
    expect(answer.error.message).not.toContain('9000');
    expect(internalLines[0]).toMatchObject({ level: 'error', code: 'internal' });
  });

  it('4xx AppErrors keep their message and details and are not logged', async () => {
    const { app, lines } = appThrowing(() => new AppError('envelope_not_found', 'No such envelope.', { id: 'e1' }));
    const r = await app.request('/v1/envelopes/e1');
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: { code: 'envelope_not_found', message: 'No such envelope.', details: { id: 'e1' } } });
    expect(lines).toEqual([]);
  });

  it('pages answer a bilingual HTML page (Vietnamese first), and the token never reaches the log', async () => {
    const token = 'A'.repeat(43);
    const { app, lines } = appThrowing(() => Object.assign(new Error('down'), { code: 'ECONNREFUSED' }));
    const r = await app.request(`/s/${token}`);
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('retry-after')).toBe('5');
    const html = await r.text();
    expect(html).toMatch(/<html lang="vi">/);
    expect(html.indexOf('Dịch vụ tạm thời gián đoạn')).toBeLessThan(html.indexOf('Service temporarily unavailable'));
    expect(html).toContain('req-1');
    expect(JSON.stringify(lines)).not.toContain(token);
    expect(lines[0]).toMatchObject({ path: '/s/:token' });
    const en = await (await app.request(`/s/${token}?lang=en`)).text();
    expect(en).toMatch(/<html lang="en">/);
    const bug = appThrowing(() => new Error('boom'));
    const page = await bug.app.request(`/s/${token}`);
    expect(page.status).toBe(500);
    expect(await page.text()).toContain('Đã xảy ra lỗi');
  });
});
