import { isIP } from 'node:net';
import type { Context } from 'hono';

/**
 * The client's IP address, for the audit trail, the certificate of completion, rate limits and
 * sign-in lockouts. It comes from what the platform saw, never from what the client says:
 * - on Lambda, API Gateway's `requestContext` (REST: identity.sourceIp, HTTP API: http.sourceIp);
 * - locally, the TCP connection's peer address.
 * `X-Forwarded-For` is read only when `trustedProxies` (KYSO_TRUSTED_PROXIES) says how many
 * proxies we run in front (e.g. 1 for a CloudFront distribution): then the entry those proxies
 * appended — the N-th from the right — is the client; anything left of it is client-supplied.
 * Whatever is chosen must parse as an IP address (else it is ignored); IPv4-mapped IPv6 is
 * shown as IPv4.
 */
export const clientIp = (c: Context, trustedProxies = 0): string | undefined => {
  const env = c.env as
    | {
        requestContext?: { identity?: { sourceIp?: string }; http?: { sourceIp?: string } };
        incoming?: { socket?: { remoteAddress?: string } };
      }
    | undefined;
  const peer = env?.requestContext?.identity?.sourceIp ?? env?.requestContext?.http?.sourceIp ?? env?.incoming?.socket?.remoteAddress;
  if (trustedProxies > 0) {
    const header = c.req.header('x-forwarded-for') ?? '';
    // A header longer than any sane proxy chain is not trusted at all.
    const hops = header.length <= 1024 ? header.split(',').map((h) => h.trim()) : [];
    const candidate = hops.length >= trustedProxies ? normalise(hops[hops.length - trustedProxies]) : undefined;
    if (candidate) return candidate;
  }
  return normalise(peer);
};

const normalise = (raw: string | undefined): string | undefined => {
  if (!raw || raw.length > 45) return undefined;
  const ip = raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
  return isIP(ip) ? ip : undefined;
};
