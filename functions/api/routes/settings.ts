import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../shared/errors.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, TENANT } from '../openapi.js';
import { requireOutboundUrl } from '../outbound-url.js';

export const settingsSchema = z.object({
  tsaUrls: z.array(z.url({ protocol: /^https?$/ }).max(500)).max(5),
});

/**
 * Tenant settings. `tsaUrls`: the tenant's own RFC 3161 TSAs, tried in order before the
 * platform TSA (https only outside local mode).
 */
export const settingsRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const view = jsonContent(z.object({ tsaUrls: z.array(z.string()) }), 'The settings');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Settings'],
      summary: 'Tenant settings',
      security: TENANT,
      responses: { 200: view, ...errors('unauthorized') },
    }),
    async (c) => {
      const tenant = await deps.tenants.get(c.get('tenantId'));
      return c.json({ tsaUrls: [...(tenant?.tsaUrls ?? [])] }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/',
      tags: ['Settings'],
      summary: 'Set the tenant’s RFC 3161 TSAs (tried in order before the platform TSA)',
      security: TENANT,
      request: { body: jsonBody(settingsSchema) },
      responses: { 200: view, ...errors('unauthorized', 'not_found') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      // Server-side requests to tenant URLs (SSRF): https to public hosts, loopback only in local mode;
      // the guarded fetch checks the resolved address again at each request.
      for (const url of body.tsaUrls) requireOutboundUrl(url, 'tsaUrls', { allowLoopback: deps.allowLoopbackWebhooks });
      const tenant = await deps.tenants.get(c.get('tenantId'));
      if (!tenant) throw new AppError('not_found', 'Tenant not found.');
      await deps.tenants.create({ ...tenant, tsaUrls: body.tsaUrls });
      return c.json({ tsaUrls: body.tsaUrls }, 200);
    },
  );
  return app;
};
