import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../../functions/api/context.js';
import { errorResponse } from '../../../functions/api/errors.js';
import { type IdempotencyRecord, type IdempotencyStore, idempotency, type StoredResponse } from '../../../functions/api/idempotency.js';
import { silentLogger } from '../../../functions/logger.js';

/** Same semantics as the DynamoDB store, in memory (no TTL). */
const memoryStore = (): IdempotencyStore & { records: Map<string, IdempotencyRecord> } => {
  const records = new Map<string, IdempotencyRecord>();
  return {
    records,
    claim: async (key, requestHash) => {
      const existing = records.get(key);
      if (existing) return existing;
      records.set(key, { requestHash });
      return undefined;
    },
    complete: async (key, response: StoredResponse) => {
      records.set(key, { ...(records.get(key) as IdempotencyRecord), response });
    },
    release: async (key) => void records.delete(key),
  };
};

const appWith = (store: IdempotencyStore) => {
  let runs = 0;
  let release: (() => void) | undefined;
  const app = new Hono<AppEnv>();
  app.use('*', idempotency({ store, clock: { now: () => new Date() }, logger: silentLogger }));
  app.post('/ok', async (c) => c.json({ run: ++runs, got: await c.req.json() }, 201));
  app.post('/boom', () => {
    runs++;
    throw new Error('internal');
  });
  app.post('/slow', async (c) => {
    runs++;
    await new Promise<void>((r) => {
      release = r;
    });
    return c.json({ slow: true });
  });
  app.onError((err, c) => errorResponse(err, c, silentLogger));
  return { app, runs: () => runs, finishSlow: () => release?.() };
};

const post = (app: Hono<AppEnv>, path: string, body: unknown, key?: string) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });

describe('Idempotency-Key middleware', () => {
  it('runs once and replays status and body', async () => {
    const { app, runs } = appWith(memoryStore());
    const a = await post(app, '/ok', { x: 1 }, 'k1');
    const b = await post(app, '/ok', { x: 1 }, 'k1');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(await b.json()).toEqual(await a.json());
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.headers.get('content-type')).toContain('application/json');
    expect(runs()).toBe(1);
  });

  it('refuses the same key with another body (422) and a concurrent duplicate (409)', async () => {
    const { app, runs, finishSlow } = appWith(memoryStore());
    await post(app, '/ok', { x: 1 }, 'k2');
    const reused = await post(app, '/ok', { x: 2 }, 'k2');
    expect(reused.status).toBe(422);
    expect((await reused.json()).error.code).toBe('idempotency_key_reused');

    const first = post(app, '/slow', {}, 'k3');
    await new Promise((r) => setTimeout(r, 20));
    const second = await post(app, '/slow', {}, 'k3');
    expect(second.status).toBe(409);
    expect((await second.json()).error.code).toBe('idempotency_in_progress');
    finishSlow();
    expect((await first).status).toBe(200);
    expect(runs()).toBe(2);
  });

  it('does not keep a 5xx: the retry runs again', async () => {
    const store = memoryStore();
    const { app, runs } = appWith(store);
    expect((await post(app, '/boom', {}, 'k4')).status).toBe(500);
    expect(store.records.size).toBe(0);
    expect((await post(app, '/boom', {}, 'k4')).status).toBe(500);
    expect(runs()).toBe(2);
  });

  it('leaves requests without a key alone', async () => {
    const store = memoryStore();
    const { app, runs } = appWith(store);
    await post(app, '/ok', { x: 1 });
    await post(app, '/ok', { x: 1 });
    expect(runs()).toBe(2);
    expect(store.records.size).toBe(0);
  });
});
