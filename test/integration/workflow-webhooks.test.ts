import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTenant, uniqueEmail } from '../support/api.js';
import { createAndSend, latestLinkToken } from '../support/workflow.js';

/** The workflow's events reach a tenant's webhook: approved, declined, voided, expired. */
describe('workflow webhook events', () => {
  const received: { type: string; data: { envelopeId?: string; reason?: string } }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  let key: string;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    key = (await createTenant('Công ty Nghe Sự Kiện')).apiKey;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const r = await call('POST', '/v1/webhooks', {
      key,
      json: { url, events: ['recipient.approved', 'envelope.declined', 'envelope.voided', 'envelope.expired'] },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const eventually = async (type: string, envelopeId: string) => {
    for (let i = 0; i < 100; i++) {
      const hit = received.find((e) => e.type === type && e.data.envelopeId === envelopeId);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no ${type} for ${envelopeId}; got ${JSON.stringify(received.map((e) => e.type))}`);
  };

  it('publishes recipient.approved, envelope.declined, envelope.voided and envelope.expired', async () => {
    const hr = { name: 'Duyệt', email: uniqueEmail('wh-hr'), role: 'approver', order: 1 };
    const an = { name: 'Ký', email: uniqueEmail('wh-an'), role: 'signer', order: 2 };
    const declined = await createAndSend(key, [hr, an]);
    await call('POST', `/v1/sign/${await latestLinkToken(hr.email)}/approve`);
    await call('POST', `/v1/sign/${await latestLinkToken(an.email)}/decline`, { json: { reason: 'Không đồng ý' } });
    await eventually('recipient.approved', declined.id);
    expect((await eventually('envelope.declined', declined.id)).data.reason).toBe('Không đồng ý');

    const voided = await createAndSend(key, [{ name: 'V', email: uniqueEmail('wh-v') }]);
    await call('POST', `/v1/envelopes/${voided.id}/void`, { key, json: { reason: 'Nhầm' } });
    await eventually('envelope.voided', voided.id);

    const expired = await createAndSend(key, [{ name: 'E', email: uniqueEmail('wh-e') }], {
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    await new Promise((r) => setTimeout(r, 2000));
    await call('GET', `/v1/envelopes/${expired.id}`, { key });
    await eventually('envelope.expired', expired.id);
  });
});
