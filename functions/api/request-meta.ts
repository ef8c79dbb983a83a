import type { Context } from 'hono';
import type { RequestMeta } from '../../shared/envelope/deps.js';

/** Client IP and user agent for the audit trail (API Gateway and proxies put the IP in x-forwarded-for). */
export const requestMeta = (c: Context): RequestMeta => {
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const ip = forwarded || incoming?.socket?.remoteAddress;
  const userAgent = c.req.header('user-agent')?.slice(0, 300);
  return { ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) };
};
