import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import type { AppDeps, AppEnv } from '../context.js';

/** Hosts a tenant-supplied URL may never point at: our own network and the metadata service. */
const PRIVATE_HOST = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|0\.|\[?::1\]?|\[?f[cd][0-9a-f]{2}:)/i;

export const settingsSchema = z.object({
  tsaUrls: z.array(z.url({ protocol: /^https?$/ }).max(500)).max(5),
});

/**
 * Tenant settings. `tsaUrls`: the tenant's own RFC 3161 TSAs, tried in order before the
 * platform TSA (tokens are signed, so plain http is acceptable, as many TSAs serve it).
 */
export const settingsRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    const tenant = await deps.tenants.get(c.get('tenantId'));
    return c.json({ tsaUrls: tenant?.tsaUrls ?? [] });
  });
  app.put('/', async (c) => {
    const body = settingsSchema.parse(await c.req.json().catch(() => ({})));
    for (const url of body.tsaUrls) {
      // Server-side requests to tenant URLs: refuse private addresses (SSRF), except loopback in local mode.
      if (PRIVATE_HOST.test(new URL(url).hostname) && !deps.allowLoopbackWebhooks) {
        throw new AppError('validation_failed', `tsaUrls: ${url} points at a private address.`);
      }
    }
    const tenant = await deps.tenants.get(c.get('tenantId'));
    if (!tenant) throw new AppError('not_found', 'Tenant not found.');
    await deps.tenants.create({ ...tenant, tsaUrls: body.tsaUrls });
    return c.json({ tsaUrls: body.tsaUrls });
  });
  return app;
};
