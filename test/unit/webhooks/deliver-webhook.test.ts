import { describe, expect, it } from 'vitest';
import type { JobKind } from '../../../shared/jobs/ports.js';
import { deliverWebhook } from '../../../shared/webhooks/deliver-webhook.js';
import type { WebhookDelivery, WebhookEndpoint, WebhookRepository } from '../../../shared/webhooks/ports.js';
import { type DeliveryJob, webhookPublisher } from '../../../shared/webhooks/publish-event.js';
import { verifyWebhookSignature } from '../../../shared/webhooks/signature.js';

/** In-memory endpoints and deliveries with the same conditional-write semantics as DynamoDB. */
const memoryRepository = (): WebhookRepository & { deliveries: Map<string, WebhookDelivery> } => {
  const endpoints = new Map<string, WebhookEndpoint>();
  const deliveries = new Map<string, WebhookDelivery>();
  return {
    deliveries,
    createEndpoint: async (e) => void endpoints.set(e.id, e),
    getEndpoint: async (_t, id) => endpoints.get(id),
    listEndpoints: async (t) => [...endpoints.values()].filter((e) => e.tenantId === t),
    deleteEndpoint: async (_t, id) => endpoints.delete(id),
    createDelivery: async (d) => void deliveries.set(d.id, d),
    getDelivery: async (_t, id) => deliveries.get(id),
    updateDelivery: async (next, expected) => {
      const cur = deliveries.get(next.id);
      if (cur?.attempts !== expected.attempts || cur.status !== expected.status) return false;
      deliveries.set(next.id, next);
      return true;
    },
    listDeliveries: async (_t, { status }) => ({ items: [...deliveries.values()].filter((d) => !status || d.status === status) }),
  };
};

const setup = async (answers: (number | Error)[], maxAttempts = 4) => {
  let now = new Date('2026-11-25T08:00:00Z');
  const clock = { now: () => now };
  const queue: { kind: JobKind; body: DeliveryJob; delaySeconds: number }[] = [];
  const jobs = {
    enqueue: async (kind: JobKind, body: Record<string, unknown>, o?: { delaySeconds?: number }) =>
      void queue.push({ kind, body: body as unknown as DeliveryJob, delaySeconds: o?.delaySeconds ?? 0 }),
  };
  const webhooks = memoryRepository();
  const secret = 'whsec_unit';
  await webhooks.createEndpoint({
    id: 'wh_1',
    tenantId: 't1',
    url: 'https://hooks.example.vn/k',
    events: ['envelope.sent'],
    secret,
    createdAt: now.toISOString(),
  });
  const requests: { headers: Record<string, string>; body: string }[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    requests.push({ headers: init.headers as Record<string, string>, body: init.body as string });
    const a = answers[Math.min(requests.length - 1, answers.length - 1)] as number | Error;
    if (a instanceof Error) throw a;
    return new Response('x', { status: a });
  }) as unknown as typeof globalThis.fetch;
  const deps = { webhooks, jobs, clock, backoffBaseMs: 30_000, maxAttempts, fetch, logger: { info() {}, warn() {}, error() {} } };
  await webhookPublisher(deps).publish('t1', 'envelope.sent', { envelopeId: 'e1' });
  /** Runs queued jobs one by one, moving the clock forward by each job's delay. */
  const drain = async (limit = 100) => {
    for (let i = 0; i < limit && queue.length; i++) {
      const job = queue.shift() as (typeof queue)[number];
      now = new Date(now.getTime() + job.delaySeconds * 1000);
      await deliverWebhook(deps, job.body);
    }
  };
  return { webhooks, queue, requests, drain, secret, deps, delivery: () => [...webhooks.deliveries.values()][0] as WebhookDelivery };
};

describe('deliverWebhook', () => {
  it('retries with growing delays until the receiver accepts, signing every attempt', async () => {
    const s = await setup([503, new TypeError('fetch failed'), 200]);
    expect(s.queue).toEqual([{ kind: 'webhooks', body: expect.objectContaining({ attempt: 1 }), delaySeconds: 0 }]);
    const delays: number[] = [];
    while (s.queue.length) {
      delays.push(s.queue[0]?.delaySeconds as number);
      await s.drain(1);
    }
    expect(s.requests).toHaveLength(3);
    expect(delays[1]).toBeGreaterThanOrEqual(27);
    expect(delays[1]).toBeLessThanOrEqual(33);
    expect(delays[2]).toBeGreaterThanOrEqual(54);
    expect(s.delivery()).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200 });
    for (const r of s.requests) {
      expect(r.body).toBe(s.requests[0]?.body);
      expect(verifyWebhookSignature(r.headers['Kyso-Signature'], s.secret, r.body, { now: new Date('2026-11-25T08:05:00Z') })).toBe(true);
    }
  });

  it('moves the delivery to the dead-letter list after the last attempt, with bounded attempts', async () => {
    const s = await setup([500], 4);
    await s.drain();
    expect(s.requests).toHaveLength(4);
    expect(s.delivery()).toMatchObject({ status: 'failed', attempts: 4, lastError: 'HTTP 500' });
    expect(s.delivery().nextAttemptAt).toBeUndefined();
    expect(s.queue).toEqual([]);
  });

  it('chains SQS delays of at most 900 s for longer waits (15 attempts over about a day)', async () => {
    const s = await setup([500], 15);
    const before = Date.parse(s.delivery().createdAt);
    let hops = 0;
    while (s.queue.length) {
      expect(s.queue[0]?.delaySeconds).toBeLessThanOrEqual(900);
      hops++;
      await s.drain(1);
    }
    expect(s.requests).toHaveLength(15);
    expect(hops).toBeGreaterThan(15);
    const span = Date.parse(s.delivery().lastAttemptAt as string) - before;
    expect(span / 3600_000).toBeGreaterThan(21);
    expect(span / 3600_000).toBeLessThan(27);
  });

  it('ignores duplicate messages of an attempt already made, and re-enqueues a lost follow-up', async () => {
    const s = await setup([503, 200]);
    const first = s.queue[0]?.body as DeliveryJob;
    await s.drain(1); // attempt 1 fails, attempt 2 queued
    s.queue.length = 0; // …but pretend that enqueue was lost and SQS redelivers attempt 1
    await deliverWebhook(s.deps, first);
    expect(s.requests).toHaveLength(1); // not sent again
    expect(s.queue.map((q) => q.body.attempt)).toEqual([2]);
    await s.drain();
    await deliverWebhook(s.deps, { ...first, attempt: 2 }); // stale after success
    expect(s.requests).toHaveLength(2);
    expect(s.delivery()).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('fails for good, without retrying, when the endpoint was deleted', async () => {
    const s = await setup([200]);
    await s.webhooks.deleteEndpoint('t1', 'wh_1');
    await s.drain();
    expect(s.requests).toHaveLength(0);
    expect(s.delivery()).toMatchObject({ status: 'failed', attempts: 1, lastError: 'The webhook endpoint was deleted.' });
  });

  it('publishes nothing for events no endpoint subscribed to, and never throws', async () => {
    const s = await setup([200]);
    s.queue.length = 0;
    await webhookPublisher(s.deps).publish('t1', 'envelope.voided', { envelopeId: 'e1' });
    expect(s.queue).toEqual([]);
    const broken = { ...s.deps, webhooks: { ...s.webhooks, listEndpoints: () => Promise.reject(new Error('ddb down')) } };
    const errors: string[] = [];
    await webhookPublisher({ ...broken, logger: { error: (m) => void errors.push(m) } }).publish('t1', 'envelope.sent', {});
    expect(errors).toEqual(['webhook event not published']);
  });
});
