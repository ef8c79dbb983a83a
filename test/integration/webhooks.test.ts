import { afterAll, describe, expect, inject, it } from 'vitest';
import { verifyWebhook } from '../../clients/typescript/src/index.js';
import { call, createTenant, envelopeJson, fixture, latestLinkToken, uniqueEmail } from '../support/api.js';
import { startWebhookReceiver, waitFor } from '../support/webhook-receiver.js';

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  secret?: string;
}
interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
}

const receivers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

const register = (key: string, json: unknown) => call<Endpoint & { error?: { code: string } }>('POST', '/v1/webhooks', { key, json });

const oneSignerEnvelope = async (key: string) => {
  const signer = { name: 'Lê Thị Hồng Nhung', email: uniqueEmail('nhung') };
  const create = await call<{ id: string }>('POST', '/v1/envelopes', {
    key,
    json: envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: [signer] }),
  });
  expect(create.status).toBe(201);
  return { id: create.body.id, signer };
};

describe('webhooks', () => {
  it('delivers send → view → sign → completed, signed with the secret, through a receiver that is down at first', async () => {
    // Each delivery: 1st attempt the connection drops, 2nd gets 503, 3rd is accepted.
    const receiver = await startWebhookReceiver((n) => (n === 1 ? 'drop' : n === 2 ? 503 : 200));
    receivers.push(receiver);
    const { apiKey: key } = await createTenant('Webhook Receiver Co');
    const events = ['envelope.sent', 'recipient.viewed', 'recipient.signed', 'envelope.completed'];
    const created = await register(key, { url: receiver.url, events, description: 'HR system' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const secret = created.body.secret as string;
    const listed = await call<{ items: Endpoint[] }>('GET', '/v1/webhooks', { key });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, url: receiver.url, events })]);
    expect(listed.body.items[0]).not.toHaveProperty('secret');

    const { id, signer } = await oneSignerEnvelope(key);
    expect((await call('POST', `/v1/envelopes/${id}/send`, { key })).status).toBe(200);
    const token = await latestLinkToken(signer.email);
    expect((await call('GET', `/v1/sign/${token}`)).status).toBe(200);
    const sign = await call('POST', `/v1/sign/${token}`, { json: { signature: { type: 'typed', value: signer.name } } });
    expect(sign.status).toBe(200);

    const accepted = await waitFor(() => {
      const ok = receiver.accepted();
      return new Set(ok.map((r) => JSON.parse(r.body).type)).size === events.length && ok;
    });
    const bodies = accepted.map((r) => JSON.parse(r.body) as { id: string; type: string; createdAt: string; data: Record<string, string> });
    expect(new Set(bodies.map((b) => b.type))).toEqual(new Set(events));
    for (const b of bodies) {
      expect(b.id).toMatch(/^evt_/);
      expect(b.data.envelopeId).toBe(id);
      expect(Number.isNaN(Date.parse(b.createdAt))).toBe(false);
    }
    expect(bodies.find((b) => b.type === 'envelope.completed')?.data.status).toBe('completed');
    // Every request, failed ones too, carries a signature that the client package's verifier
    // accepts with the secret (and refuses with another secret or a changed body), and a delivery id.
    for (const r of receiver.received) {
      const signature = r.headers['kyso-signature'] as string;
      expect(await verifyWebhook(signature, secret, r.body), r.body).toMatchObject({ valid: true });
      expect(await verifyWebhook(signature, secret, new TextEncoder().encode(r.body))).toMatchObject({ valid: true });
      expect(await verifyWebhook(signature, 'whsec_wrong', r.body)).toEqual({ valid: false, reason: 'signature mismatch' });
      expect(await verifyWebhook(signature, secret, `${r.body} `)).toMatchObject({ valid: false });
      expect(r.headers['kyso-delivery']).toMatch(/^dlv_/);
      expect(r.headers['content-type']).toBe('application/json');
    }
    // Retried: three requests per delivery (dropped, 503, accepted), nothing lost.
    const perDelivery = new Map<string, string[]>();
    for (const r of receiver.received) {
      const dlv = r.headers['kyso-delivery'] as string;
      perDelivery.set(dlv, [...(perDelivery.get(dlv) ?? []), String(r.answer)]);
    }
    expect(perDelivery.size).toBe(events.length);
    for (const answers of perDelivery.values()) expect(answers.slice(0, 3)).toEqual(['dropped', '503', '200']);

    const deliveries = await waitFor(async () => {
      const r = await call<{ items: Delivery[] }>('GET', '/v1/webhooks/deliveries?status=succeeded', { key });
      return r.body.items.length === events.length && r.body.items;
    });
    for (const d of deliveries) expect(d.attempts).toBe(3);
    expect(deliveries).not.toContainEqual(expect.objectContaining({ payload: expect.anything() }));
  });

  it('moves a delivery that never succeeds to the dead-letter list, and a replay delivers the same event', async () => {
    const receiver = await startWebhookReceiver(() => 500);
    receivers.push(receiver);
    const { apiKey: key } = await createTenant('Webhook Dead Letter Co');
    const created = await register(key, { url: receiver.url, events: ['envelope.sent'] });
    const secret = created.body.secret as string;
    const { id } = await oneSignerEnvelope(key);
    await call('POST', `/v1/envelopes/${id}/send`, { key });

    const failed = await waitFor(async () => {
      const r = await call<{ items: Delivery[] }>('GET', '/v1/webhooks/deliveries?status=failed', { key });
      return r.body.items[0];
    });
    expect(failed).toMatchObject({ eventType: 'envelope.sent', status: 'failed', attempts: 4, lastStatusCode: 500, lastError: 'HTTP 500' });
    expect(receiver.received).toHaveLength(4); // bounded: KYSO_WEBHOOK_MAX_ATTEMPTS in test/support/start-server.ts
    expect((await call<{ items: Delivery[] }>('GET', '/v1/webhooks/deliveries?status=pending', { key })).body.items).toEqual([]);

    receiver.setBehaviour(() => 204);
    const replay = await call<Delivery>('POST', `/v1/webhooks/deliveries/${failed.id}/replay`, { key });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
    const done = await waitFor(async () => {
      const r = await call<{ items: Delivery[] }>('GET', '/v1/webhooks/deliveries?status=succeeded', { key });
      return r.body.items[0];
    });
    expect(done).toMatchObject({ id: failed.id, eventId: failed.eventId, attempts: 1 });
    const last = receiver.received.at(-1);
    expect(JSON.parse(last?.body ?? '{}').id).toBe(failed.eventId);
    expect(await verifyWebhook(last?.headers['kyso-signature'] as string, secret, last?.body ?? '')).toMatchObject({ valid: true });
    // The dead-letter list is empty again; unknown deliveries are 404.
    expect((await call<{ items: Delivery[] }>('GET', '/v1/webhooks/deliveries?status=failed', { key })).body.items).toEqual([]);
    expect((await call('POST', '/v1/webhooks/deliveries/dlv_nope/replay', { key })).status).toBe(404);
  });

  it('rejects unknown event names and URLs that are not https to a public host, and deletes endpoints', async () => {
    const key = inject('devApiKey');
    const unknown = await register(key, { url: 'https://hooks.example.vn/kyso', events: ['envelope.sent', 'envelope.exploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.code).toBe('unknown_webhook_event');
    expect((unknown.body.error as { message: string } | undefined)?.message).toContain('envelope.exploded');
    for (const url of [
      'http://hooks.example.vn/kyso',
      'ftp://hooks.example.vn',
      'https://10.0.0.8/hook',
      'https://192.168.1.1/',
      'not a url',
    ]) {
      const r = await register(key, { url, events: ['envelope.sent'] });
      expect(r.status, url).toBe(400);
      expect(r.body.error?.code, url).toBe('invalid_webhook_url');
    }
    expect((await register(key, { url: 'https://hooks.example.vn/kyso', events: [] })).status).toBe(400);
    expect((await call('POST', '/v1/webhooks', { json: { url: 'https://hooks.example.vn', events: ['envelope.sent'] } })).status).toBe(401);

    const created = await register(key, { url: 'https://hooks.example.vn/kyso', events: ['envelope.voided'] });
    expect(created.status).toBe(201);
    expect((await call('DELETE', `/v1/webhooks/${created.body.id}`, { key })).status).toBe(204);
    expect((await call('DELETE', `/v1/webhooks/${created.body.id}`, { key })).status).toBe(404);
    const listed = await call<{ items: Endpoint[] }>('GET', '/v1/webhooks', { key });
    expect(listed.body.items.map((e) => e.id)).not.toContain(created.body.id);
  });
});
