/**
 * Webhook signature verification for receivers, with Web Crypto only (Node 20+, Deno, Bun,
 * Cloudflare Workers, browsers). The scheme is the server's (shared/webhooks/signature.ts):
 * header `Kyso-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC keyed with the
 * endpoint's whole `whsec_…` secret (UTF-8) over `<t>.<raw body>`. Verify the raw body bytes as
 * received, before any JSON parsing, and refuse old timestamps (replays).
 */
export const WEBHOOK_SIGNATURE_HEADER = 'Kyso-Signature';
export const WEBHOOK_DELIVERY_HEADER = 'Kyso-Delivery';

export interface VerifyWebhookOptions {
  /** The receiver's clock (default now). */
  readonly now?: Date;
  /** How old (or early) `t` may be, in seconds (default 300). */
  readonly toleranceSeconds?: number;
}

export type WebhookVerification = { readonly valid: true; readonly timestamp: number } | { readonly valid: false; readonly reason: string };

const encoder = new TextEncoder();

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** Constant-time comparison of two equal-length lowercase hex strings. */
const sameHex = (a: string, b: string) => {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
};

/** HMAC-SHA256 of `<t>.<body bytes>`: the bytes as received, so no decoding can change them. */
const hmacHex = async (secret: string, t: number, body: Uint8Array) => {
  const prefix = encoder.encode(`${t}.`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, message));
};

/** Checks a delivery's `Kyso-Signature` header against its raw body; says why when it does not hold. */
export const verifyWebhook = async (
  header: string | null | undefined,
  secret: string,
  rawBody: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): Promise<WebhookVerification> => {
  const parts = new Map<string, string[]>();
  for (const part of (header ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    parts.set(name, [...(parts.get(name) ?? []), part.slice(at + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isSafeInteger(t)) return { valid: false, reason: 'missing or malformed timestamp' };
  const signatures = (parts.get('v1') ?? []).filter((v) => /^[0-9a-f]{64}$/.test(v));
  if (signatures.length === 0) return { valid: false, reason: 'no v1 signature' };
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return { valid: false, reason: 'timestamp outside the tolerance' };
  const expected = await hmacHex(secret, t, typeof rawBody === 'string' ? encoder.encode(rawBody) : rawBody);
  // Several v1 values are accepted (a future secret rotation may sign with both secrets).
  return signatures.some((v) => sameHex(v, expected)) ? { valid: true, timestamp: t } : { valid: false, reason: 'signature mismatch' };
};

/** `verifyWebhook` for a `Request` (e.g. a Workers/Hono/Next handler): reads the body once and returns it parsed when valid. */
export const verifyWebhookRequest = async <T = unknown>(
  request: Request,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<{ valid: true; event: T } | { valid: false; reason: string }> => {
  const body = await request.text();
  const result = await verifyWebhook(request.headers.get(WEBHOOK_SIGNATURE_HEADER), secret, body, options);
  return result.valid ? { valid: true, event: JSON.parse(body) as T } : result;
};
