import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookSignature, webhookSignatureHeader } from '../../../shared/webhooks/signature.js';

const SECRET = 'whsec_0123456789abcdefghijklmnopqrstuv';
const BODY = '{"id":"evt_1","type":"envelope.completed","createdAt":"2026-11-25T00:00:00.000Z","data":{"envelopeId":"e1","tên":"Hồng"}}';
const NOW = new Date('2026-11-25T08:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);

describe('webhook signatures', () => {
  it('is the HMAC-SHA256 of "<t>.<body>" that openssl computes', () => {
    const openssl = execFileSync('openssl', ['dgst', '-sha256', '-hmac', SECRET], { input: Buffer.from(`${T}.${BODY}`, 'utf8') })
      .toString()
      .trim()
      .split(/\s+/)
      .at(-1);
    expect(webhookSignature(SECRET, T, BODY)).toBe(openssl);
    expect(webhookSignatureHeader(SECRET, BODY, NOW)).toBe(`t=${T},v1=${openssl}`);
  });

  it('verifies what it signs, within the tolerance', () => {
    const header = webhookSignatureHeader(SECRET, BODY, NOW);
    expect(verifyWebhookSignature(header, SECRET, BODY, { now: NOW })).toBe(true);
    expect(verifyWebhookSignature(header, SECRET, BODY, { now: new Date(NOW.getTime() + 299_000) })).toBe(true);
  });

  it.each([
    ['another secret', (h: string) => [h, 'whsec_other', BODY, NOW] as const],
    ['a changed body', (h: string) => [h, SECRET, BODY.replace('e1', 'e2'), NOW] as const],
    ['a changed timestamp', (h: string) => [h.replace(`t=${T}`, `t=${T + 1}`), SECRET, BODY, NOW] as const],
    ['an old delivery (replay)', (h: string) => [h, SECRET, BODY, new Date(NOW.getTime() + 301_000)] as const],
    ['no header', () => [undefined, SECRET, BODY, NOW] as const],
    ['garbage', () => ['t=abc,v1=xyz', SECRET, BODY, NOW] as const],
  ])('rejects %s', (_name, args) => {
    const [header, secret, body, now] = args(webhookSignatureHeader(SECRET, BODY, NOW));
    expect(verifyWebhookSignature(header, secret, body, { now })).toBe(false);
  });
});
