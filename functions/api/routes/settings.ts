import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireOutboundUrl } from '../outbound-url.js';

export const settingsSchema = z.object({
  tsaUrls: z.array(z.url({ protocol: /^https?$/ }).max(500)).max(5),
});

/**
 * Tenant settings. `tsaUrls`: the tenant's own RFC 3161 TSAs, tried in order before the
 * platform TSA (https only outside local mode).
 */
export const settingsRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    const tenant = await deps.tenants.get(c.get('tenantId'));
    return c.json({ tsaUrls: tenant?.tsaUrls ?? [] });
  });
  app.put('/', async (c) => {
    const body = settingsSchema.parse(await c.req.json().catch(() => ({})));
    // Server-side requests to tenant URLs (SSRF): https to public hosts, loopback only in local mode;
    // the guarded fetch checks the resolved address again at each request.
    for (const url of body.tsaUrls) requireOutboundUrl(url, 'tsaUrls', { allowLoopback: deps.allowLoopbackWebhooks });
    const tenant = await deps.tenants.get(c.get('tenantId'));
    if (!tenant) throw new AppError('not_found', 'Tenant not found.');
    await deps.tenants.create({ ...tenant, tsaUrls: body.tsaUrls });
    return c.json({ tsaUrls: body.tsaUrls });
  });
  return app;
};
