import { describe, expect, it } from 'vitest';
import { verifyWebhook, verifyWebhookRequest } from '../../../clients/typescript/src/index.js';
import { webhookSignature, webhookSignatureHeader } from '../../../shared/webhooks/signature.js';

/** The client's Web Crypto verifier against the server's signer (shared/webhooks/signature.ts); real deliveries in test/integration/webhooks.test.ts. */
const secret = 'whsec_0123456789abcdef';
const body = JSON.stringify({ id: 'evt_1', type: 'envelope.completed', data: { title: 'Hợp đồng lao động' } });
const now = new Date('2026-12-01T10:00:00Z');

describe('verifyWebhook', () => {
  it('accepts what the server signs, as a string or as the raw bytes', async () => {
    const header = webhookSignatureHeader(secret, body, now);
    expect(await verifyWebhook(header, secret, body, { now })).toEqual({ valid: true, timestamp: now.getTime() / 1000 });
    expect(await verifyWebhook(header, secret, new TextEncoder().encode(body), { now })).toMatchObject({ valid: true });
  });

  it('refuses a changed body, another secret, an old or future timestamp, and malformed headers', async () => {
    const header = webhookSignatureHeader(secret, body, now);
    expect(await verifyWebhook(header, secret, body.replace('lao động', 'lao dong'), { now })).toEqual({
      valid: false,
      reason: 'signature mismatch',
    });
    expect(await verifyWebhook(header, 'whsec_other', body, { now })).toMatchObject({ valid: false });
    const later = new Date(now.getTime() + 301_000);
    expect(await verifyWebhook(header, secret, body, { now: later })).toEqual({ valid: false, reason: 'timestamp outside the tolerance' });
    expect(await verifyWebhook(header, secret, body, { now: later, toleranceSeconds: 600 })).toMatchObject({ valid: true });
    const earlier = new Date(now.getTime() - 301_000);
    expect(await verifyWebhook(header, secret, body, { now: earlier })).toMatchObject({ valid: false });
    for (const bad of [undefined, '', 'v1=abc', `t=x,v1=${'0'.repeat(64)}`, `t=${now.getTime() / 1000}`]) {
      expect((await verifyWebhook(bad, secret, body, { now })).valid).toBe(false);
    }
  });

  it('accepts any one matching v1 value (rotation), none of several wrong ones', async () => {
    const t = now.getTime() / 1000;
    const good = webhookSignature(secret, t, body);
    const wrong = webhookSignature('whsec_old', t, body);
    expect(await verifyWebhook(`t=${t},v1=${wrong},v1=${good}`, secret, body, { now })).toMatchObject({ valid: true });
    expect(await verifyWebhook(`t=${t},v1=${wrong}`, secret, body, { now })).toMatchObject({ valid: false });
  });

  it('verifies a Request and hands back the parsed event', async () => {
    const request = new Request('http://127.0.0.1/hooks', {
      method: 'POST',
      headers: { 'Kyso-Signature': webhookSignatureHeader(secret, body, now) },
      body,
    });
    expect(await verifyWebhookRequest(request, secret, { now })).toEqual({ valid: true, event: JSON.parse(body) });
  });
});
