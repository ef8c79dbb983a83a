import type { Context } from 'hono';
import type { RequestMeta } from '../../shared/envelope/deps.js';

/** Client IP (set once per request by the app from the connection, see client-ip.ts) and user agent for the audit trail. */
export const requestMeta = (c: Context): RequestMeta => {
  const ip = (c.get as (k: string) => string | undefined)('clientIp');
  const userAgent = c.req
    .header('user-agent')
    ?.slice(0, 300)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must not reach the audit trail.
    .replace(/[\u0000-\u001f\u007f]/g, ' ');
  return { ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) };
};
