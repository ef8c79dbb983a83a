import { describe, expect, it } from 'vitest';
import { call, createTenant, envelopeJson, fixture, latestLinkToken, uniqueEmail } from '../support/api.js';

interface EnvelopeBody {
  id: string;
  status: string;
  error?: { code: string };
}

const countEnvelopes = async (key: string) =>
  (await call<{ items: unknown[] }>('GET', '/v1/envelopes?limit=100', { key })).body.items.length;
const newKey = () => `idem-${Math.random().toString(36).slice(2)}`;

describe('Idempotency-Key', () => {
  it('replays the first response of POST /v1/envelopes and creates one envelope', async () => {
    const { apiKey: key } = await createTenant('Idempotent Envelopes Co');
    const json = envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: [{ name: 'Võ Minh Khoa', email: uniqueEmail('khoa') }] });
    const headers = { 'Idempotency-Key': newKey() };

    const first = await call<EnvelopeBody>('POST', '/v1/envelopes', { key, json, headers });
    const retry = await call<EnvelopeBody>('POST', '/v1/envelopes', { key, json, headers });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await countEnvelopes(key)).toBe(1);

    // Same key, another body: refused, nothing created.
    const other = await call<EnvelopeBody>('POST', '/v1/envelopes', { key, json: { ...json, title: 'Phụ lục hợp đồng' }, headers });
    expect(other.status).toBe(422);
    expect(other.body.error?.code).toBe('idempotency_key_reused');
    // The key belongs to this tenant: another tenant with the same key gets its own envelope.
    const { apiKey: otherTenant } = await createTenant('Idempotent Neighbour Co');
    const neighbour = await call<EnvelopeBody>('POST', '/v1/envelopes', { key: otherTenant, json, headers });
    expect(neighbour.status).toBe(201);
    expect(neighbour.body.id).not.toBe(first.body.id);
    // Without a key, POST is not deduplicated.
    expect((await call('POST', '/v1/envelopes', { key, json })).status).toBe(201);
    expect(await countEnvelopes(key)).toBe(2);
  });

  it('lets only one of two concurrent requests with one key run; the other is told it is in progress or gets the replay', async () => {
    const { apiKey: key } = await createTenant('Idempotent Race Co');
    const json = envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [{ name: 'Đỗ Thị Mai', email: uniqueEmail('mai') }] });
    const headers = { 'Idempotency-Key': newKey() };

    const [a, b] = await Promise.all([0, 1].map(() => call<EnvelopeBody>('POST', '/v1/envelopes', { key, json, headers })));

    const statuses = [a?.status, b?.status].sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    const loser = [a, b].find((r) => r?.status === 409);
    if (loser) expect(loser.body.error?.code).toBe('idempotency_in_progress');
    expect(await countEnvelopes(key)).toBe(1);
    // Once the first has finished, a retry gets its response.
    const winner = [a, b].find((r) => r?.status === 201 && r.headers.get('idempotent-replayed') === null);
    const later = await call<EnvelopeBody>('POST', '/v1/envelopes', { key, json, headers });
    expect(later.status).toBe(201);
    expect(later.body.id).toBe(winner?.body.id);
  });

  it('replays POST /v1/sign/{token}: one signature, the same body', async () => {
    const { apiKey: key } = await createTenant('Idempotent Signing Co');
    const signers = [
      { name: 'Ngô Bảo Châu', email: uniqueEmail('chau') },
      { name: 'Trịnh Công Sơn', email: uniqueEmail('son') },
    ];
    const create = await call<EnvelopeBody>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers }),
    });
    const id = create.body.id;
    await call('POST', `/v1/envelopes/${id}/send`, { key });
    const token = await latestLinkToken(signers[0]?.email as string);
    const json = { signature: { type: 'typed', value: signers[0]?.name } };
    const headers = { 'Idempotency-Key': newKey() };

    const first = await call('POST', `/v1/sign/${token}`, { json, headers });
    const retry = await call('POST', `/v1/sign/${token}`, { json, headers });

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const audit = await call<{ events: { action: string }[] }>('GET', `/v1/envelopes/${id}/audit`, { key });
    expect(audit.body.events.filter((e) => e.action === 'recipient.signed')).toHaveLength(1);
    const envelope = await call<{ documents: { revisions?: number; sha256: string }[] }>('GET', `/v1/envelopes/${id}`, { key });
    // Without the key the same request really runs again, and is refused: the signature exists once.
    const again = await call<EnvelopeBody>('POST', `/v1/sign/${token}`, { json });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    const after = await call<{ documents: { sha256: string }[] }>('GET', `/v1/envelopes/${id}`, { key });
    expect(after.body.documents.map((d) => d.sha256)).toEqual(envelope.body.documents.map((d) => d.sha256));
  });

  it('refuses malformed keys', async () => {
    const { apiKey: key } = await createTenant('Idempotent Keys Co');
    const r = await call<EnvelopeBody>('POST', '/v1/envelopes', { key, json: {}, headers: { 'Idempotency-Key': 'has spaces in it' } });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('validation_failed');
  });
});
