import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKysoClient } from '../../clients/typescript/src/index.js';
import { baseUrl, envelopeJson, fixture, uniqueEmail } from '../support/api.js';
import { type RunningServer, startServer } from '../support/start-server.js';

/**
 * The client package against the real server: its 429 retries wait what the server's
 * Retry-After says (waits recorded, not slept), and its automatic Idempotency-Key is one the
 * server honours (the same key replays the first response instead of creating twice).
 */
describe('the TypeScript client against the API', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // Two requests per minute per IP on the public routes, so the third is refused. Its own table:
    // the counters are per deployment (one table), and the rest of the suite calls from 127.0.0.1 too.
    server = await startServer({
      AWS_ENDPOINT_URL: inject('awsEndpoint'),
      KYSO_RATE_LIMIT_IP: '2',
      KYSO_TABLE: `kyso-client-retries-${Date.now().toString(36)}`,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('retries a 429 after the Retry-After the API sends, then gives the 429 back with its code', async () => {
    const waits: number[] = [];
    const kyso = createKysoClient({
      baseUrl: server.url,
      retry: { maxAttempts: 3, maxDelayMs: 120_000 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const sha256 = '0'.repeat(64);
    for (let i = 0; i < 2; i++) {
      const { response } = await kyso.api.GET('/v1/verify/documents/{sha256}', { params: { path: { sha256 } } });
      expect(response.status).not.toBe(429);
      expect(response.headers.get('x-ratelimit-limit')).toBe('2');
    }
    const { response, error } = await kyso.api.GET('/v1/verify/documents/{sha256}', { params: { path: { sha256 } } });
    expect(response.status).toBe(429);
    expect(error?.error.code).toBe('rate_limited');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Two retries, each after the server's Retry-After (a second may pass between attempts).
    expect(waits).toHaveLength(2);
    for (const w of waits) expect([retryAfter * 1000, (retryAfter + 1) * 1000]).toContain(w);
  });

  it('puts an Idempotency-Key on POSTs that the API honours: the same key replays, a new one creates', async () => {
    let key = `client-${Math.random().toString(36).slice(2)}`;
    const kyso = createKysoClient({ baseUrl: baseUrl(), apiKey: inject('devApiKey'), newIdempotencyKey: () => key });
    const body = envelopeJson({
      pdf: fixture('hop-dong-lao-dong.pdf'),
      signers: [{ name: 'Nguyễn Văn An', email: uniqueEmail('client') }],
    });
    const first = await kyso.api.POST('/v1/envelopes', { body: body as never });
    const again = await kyso.api.POST('/v1/envelopes', { body: body as never });
    expect(first.response.status).toBe(201);
    expect(again.response.status).toBe(201);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.data?.id).toBe(first.data?.id);
    key = `client-${Math.random().toString(36).slice(2)}`;
    const other = await kyso.api.POST('/v1/envelopes', { body: body as never });
    expect(other.response.status).toBe(201);
    expect(other.data?.id).not.toBe(first.data?.id);
  });
});
