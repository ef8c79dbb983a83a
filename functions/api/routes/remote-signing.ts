import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../shared/errors.js';
import { tenantAuth } from '../auth.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, TENANT } from '../openapi.js';
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
  const app = createRouter();
  app.use('*', tenantAuth(deps.tenants));
  const store = () => {
    const s = deps.externalSigning?.remoteConfigs;
    if (!s) throw new AppError('not_found', 'Remote signing is not available in this deployment.');
    return s;
  };
  const tags = ['Own certificate'];
  const provider = jsonContent(
    z.object({ baseUrl: z.string(), clientId: z.string(), caName: z.string() }),
    'The provider (without the secret)',
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/',
      tags,
      summary:
        "Set the tenant's remote-signing provider (CSC API v2: base URL, OAuth2 client id/secret, CA name); the secret is write-only",
      security: TENANT,
      request: { body: jsonBody(remoteSigningConfigSchema) },
      responses: { 200: provider, ...errors('unauthorized', 'not_found') },
    }),
    async (c) => {
      const parsed = c.req.valid('json');
      const config = { ...parsed, baseUrl: requireOutboundUrl(parsed.baseUrl, 'baseUrl', { allowLoopback: deps.allowLoopbackWebhooks }) };
      await store().put(c.get('tenantId'), config);
      return c.json({ baseUrl: config.baseUrl, clientId: config.clientId, caName: config.caName }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: "The tenant's remote-signing provider (without the secret)",
      security: TENANT,
      responses: { 200: provider, ...errors('unauthorized', 'not_found') },
    }),
    async (c) => {
      const config = await store().get(c.get('tenantId'));
      if (!config) throw new AppError('not_found', 'No remote-signing provider configured.');
      return c.json({ baseUrl: config.baseUrl, clientId: config.clientId, caName: config.caName }, 200);
    },
  );
  return app;
};
