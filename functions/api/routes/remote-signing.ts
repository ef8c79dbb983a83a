import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { tenantAuth } from '../auth.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireOutboundUrl } from '../outbound-url.js';

export const remoteSigningConfigSchema = z.object({
  /** Base URL of the CA's CSC API (https; http only for loopback test servers). */
  baseUrl: z.string().max(500),
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
  /** Shown to signers and in the audit trail, e.g. "VNPT SmartCA". */
  caName: z.string().trim().min(1).max(100),
});

/** PUT/GET /v1/remote-signing: the tenant's CSC provider. The secret is write-only. */
export const remoteSigningRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.use('*', tenantAuth(deps.tenants));
  const store = () => {
    const s = deps.externalSigning?.remoteConfigs;
    if (!s) throw new AppError('not_found', 'Remote signing is not available in this deployment.');
    return s;
  };
  app.put('/', async (c) => {
    const parsed = remoteSigningConfigSchema.parse(await c.req.json().catch(() => ({})));
    const config = { ...parsed, baseUrl: requireOutboundUrl(parsed.baseUrl, 'baseUrl', { allowLoopback: deps.allowLoopbackWebhooks }) };
    await store().put(c.get('tenantId'), config);
    return c.json({ baseUrl: config.baseUrl, clientId: config.clientId, caName: config.caName });
  });
  app.get('/', async (c) => {
    const config = await store().get(c.get('tenantId'));
    if (!config) throw new AppError('not_found', 'No remote-signing provider configured.');
    return c.json({ baseUrl: config.baseUrl, clientId: config.clientId, caName: config.caName });
  });
  return app;
};
