import { request } from 'node:http';
import { describe, expect, inject, it } from 'vitest';
import { call } from '../support/api.js';

/**
 * Body limits apply before anything buffers a body: a 300 MB upload with an Idempotency-Key
 * (which hashes the body) is refused from its Content-Length, or while it streams in when
 * chunked, long before the server could have read it.
 */
const post = (path: string, headers: Record<string, string>, totalBytes: number): Promise<{ status: number; sent: number; ms: number }> =>
  new Promise((resolve, reject) => {
    const url = new URL(path, inject('baseUrl'));
    const started = Date.now();
    let sent = 0;
    let done = false;
    const req = request(url, { method: 'POST', headers }, (res) => {
      done = true;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sent, ms: Date.now() - started }));
    });
    req.on('error', (e) => (done ? undefined : reject(e)));
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const pump = () => {
      while (!done && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!done) req.end();
    };
    pump();
  });

describe('request limits before work', () => {
  it('a 300 MB body with an Idempotency-Key is refused from its Content-Length, unread', async () => {
    const r = await post(
      '/v1/verify',
      { 'content-type': 'application/pdf', 'idempotency-key': 'big-1', 'content-length': String(300 * 1024 * 1024) },
      300 * 1024 * 1024,
    );
    expect(r.status).toBe(413);
    expect(r.sent).toBeLessThan(64 * 1024 * 1024);
    expect(r.ms).toBeLessThan(5000);
  });

  it('a chunked 300 MB body is cut off once over the limit', async () => {
    const key = inject('devApiKey');
    const r = await post(
      '/v1/envelopes',
      { 'content-type': 'application/json', 'idempotency-key': 'big-2', authorization: `Bearer ${key}`, 'transfer-encoding': 'chunked' },
      300 * 1024 * 1024,
    );
    expect(r.status).toBe(413);
    expect(r.sent).toBeLessThan(100 * 1024 * 1024);
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('a small JSON route refuses more than 1 MiB', async () => {
    const r = await call<{ error: { code: string } }>('POST', '/v1/sign/x/decline', {
      body: JSON.stringify({ reason: 'x'.repeat(2 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('payload_too_large');
  });
});
