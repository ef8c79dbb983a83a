import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a delivery is signed in: `Kyso-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'Kyso-Signature';

/**
 * HMAC-SHA256 over `<t>.<body>` with the endpoint's secret (the whole `whsec_…` string as
 * UTF-8). Signing the timestamp with the body lets receivers refuse replays of old deliveries.
 */
export const webhookSignature = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

export const webhookSignatureHeader = (secret: string, body: string, now: Date): string => {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${webhookSignature(secret, t, body)}`;
};

/**
 * What a receiver does (and our tests do): recompute the HMAC, compare in constant time, and
 * refuse timestamps older than `toleranceSeconds`.
 */
export const verifyWebhookSignature = (
  header: string | null | undefined,
  secret: string,
  body: string,
  options: { now?: Date; toleranceSeconds?: number } = {},
): boolean => {
  const parts = new Map((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  return timingSafeEqual(Buffer.from(v1, 'hex'), Buffer.from(webhookSignature(secret, t, body), 'hex'));
};
