import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs, createKysoClient, createTransport, retryAfterMs } from '../../../clients/typescript/src/index.js';

/**
 * The client's transport against a real HTTP server on loopback that answers as each test says
 * (429 with Retry-After, 503, a dropped connection). Waits are recorded, not slept.
 */
interface Seen {
  method: string;
  url: string;
  key: string | undefined;
  auth: string | undefined;
  body: string;
}
type Answer = (n: number, res: ServerResponse, req: IncomingMessage) => void;

let answer: Answer = (_n, res) => res.end('ok');
let seen: Seen[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      key: req.headers['idempotency-key'] as string | undefined,
      auth: req.headers.authorization,
      body: Buffer.concat(chunks).toString(),
    });
    answer(seen.length, res, req);
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const setup = (a: Answer) => {
  answer = a;
  seen = [];
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  return { waits, sleep };
};

describe('client transport', () => {
  it('retries a 429 after the Retry-After the server gave, with the same Idempotency-Key', async () => {
    const { waits, sleep } = setup((n, res) => {
      if (n === 1) res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' }).end('{"error":{"code":"rate_limited"}}');
      else res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"env_1"}');
    });
    const kyso = createKysoClient({ baseUrl: `${base}/`, apiKey: 'kyso_test', sleep });
    const r = await kyso.fetch('/v1/envelopes', { method: 'POST', body: '{"title":"Hợp đồng"}' });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ id: 'env_1' });
    expect(waits).toEqual([3000]);
    expect(seen).toHaveLength(2);
    expect(seen[0]?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1]?.key).toBe(seen[0]?.key);
    expect(seen.map((s) => s.body)).toEqual(['{"title":"Hợp đồng"}', '{"title":"Hợp đồng"}']);
    expect(seen[0]?.auth).toBe('Bearer kyso_test');
  });

  it('backs off exponentially with jitter on 503 and gives the last response after maxAttempts', async () => {
    const { waits, sleep } = setup((_n, res) => res.writeHead(503).end('down'));
    const fetch = createTransport({ sleep, random: () => 0.999, retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 350 } });
    const r = await fetch(`${base}/health`);
    expect(r.status).toBe(503);
    expect(seen).toHaveLength(4);
    // 100, 200, then 400 capped at 350 (times the jitter factor).
    expect(waits).toEqual([99, 199, 349]);
  });

  it('caps a long Retry-After at maxDelayMs and reads HTTP dates', async () => {
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs(new Date(Date.parse('2026-01-01T00:00:10Z')).toUTCString(), Date.parse('2026-01-01T00:00:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(backoffMs(3, 250, 20_000, () => 0.5)).toBe(500);
    const { waits, sleep } = setup((n, res) => (n === 1 ? res.writeHead(429, { 'retry-after': '3600' }).end() : res.end('ok')));
    const r = await createTransport({ sleep, retry: { maxDelayMs: 5000 } })(`${base}/x`);
    expect(r.status).toBe(200);
    expect(waits).toEqual([5000]);
  });

  it('never repeats a POST that has no idempotency key, and keeps a key the caller chose', async () => {
    const { sleep } = setup((_n, res) => res.writeHead(503).end());
    const unkeyed = createTransport({ sleep, idempotencyKeys: false });
    expect((await unkeyed(`${base}/v1/envelopes`, { method: 'POST', body: '{}' })).status).toBe(503);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.key).toBeUndefined();

    setup((n, res) => (n === 1 ? res.writeHead(502).end() : res.end('ok')));
    const keyed = createTransport({ sleep });
    const r = await keyed(`${base}/v1/sign/t/decline`, { method: 'POST', headers: { 'Idempotency-Key': 'mine-1' }, body: '{}' });
    expect(r.status).toBe(200);
    expect(seen.map((s) => s.key)).toEqual(['mine-1', 'mine-1']);
  });

  it('does not retry statuses that are not transient (400, 409, 422)', async () => {
    const { sleep } = setup((_n, res) => res.writeHead(409).end());
    expect((await createTransport({ sleep })(`${base}/v1/envelopes/e/send`, { method: 'POST' })).status).toBe(409);
    expect(seen).toHaveLength(1);
  });

  it('retries network errors (a connection dropped without an answer), then succeeds', async () => {
    const { waits, sleep } = setup((n, res, req) => (n < 3 ? req.socket.destroy() : res.end('ok')));
    const r = await createTransport({ sleep, random: () => 0.5 })(`${base}/v1/envelopes`, { method: 'POST', body: 'x' });
    expect(r.status).toBe(200);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.key)).size).toBe(1);
    expect(waits).toEqual([125, 250]);
  });

  it('throws the network error once attempts run out', async () => {
    const { sleep } = setup((_n, _res, req) => req.socket.destroy());
    await expect(createTransport({ sleep, retry: { maxAttempts: 2 } })(`${base}/x`)).rejects.toThrow();
    expect(seen).toHaveLength(2);
  });

  it('types operations from /openapi.json (openapi-fetch over the same transport)', async () => {
    const { sleep } = setup((n, res) =>
      n === 1
        ? res.writeHead(503, { 'retry-after': '0' }).end()
        : res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
    );
    const kyso = createKysoClient({ baseUrl: base, sleep });
    const { data, response } = await kyso.api.GET('/health');
    expect(response.status).toBe(200);
    expect(data?.status).toBe('ok');
    expect(seen.map((s) => s.url)).toEqual(['/health', '/health']);
  });
});
