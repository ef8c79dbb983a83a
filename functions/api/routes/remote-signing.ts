import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../shared/errors.js';
import {
  addRemoteProvider,
  getDefaultRemoteProvider,
  listRemoteProviders,
  type RemoteProviderInput,
  removeRemoteProvider,
  setDefaultRemoteProvider,
} from '../../../shared/remote/providers.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, pathParams, TENANT } from '../openapi.js';
import { requireOutboundUrl } from '../outbound-url.js';

const secretFields = {
  /** Base URL of the CA's CSC API (https; http only for loopback test servers). */
  baseUrl: z.string().max(500),
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
};

export const remoteSigningConfigSchema = z.object({
  ...secretFields,
  /** Shown to signers and in the audit trail, e.g. "VNPT SmartCA". */
  caName: z.string().trim().min(1).max(100),
});

export const remoteProviderSchema = z.object({
  /** Shown to signers ("Ký số từ xa với VNPT SmartCA") and in the audit trail. */
  name: z.string().trim().min(1).max(100),
  ...secretFields,
});

export const RemoteProviderSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    baseUrl: z.string(),
    clientId: z.string(),
    createdAt: z.string(),
    source: z.enum(['deployment', 'tenant']),
    isDefault: z.boolean(),
  })
  .openapi('RemoteSigningProvider');

/**
 * /v1/remote-signing: the tenant's remote-signing CAs (CSC API v2). `providers` is the list a
 * signer chooses from (the tenant's own plus the deployment's); `PUT /` keeps the older
 * one-provider API working as the provider with id `default`. Client secrets are sealed with
 * KMS before they are stored (shared/remote/providers.ts) and are write-only.
 */
export const remoteSigningRoutes = (deps: AppDeps) => {
  // Authenticated where it is mounted: an API key under /v1 (app.ts), the console session under /app/api.
  const app = createRouter();
  const providers = () => {
    const p = deps.externalSigning?.remoteProviders;
    if (!p) throw new AppError('not_found', 'Remote signing is not available in this deployment.');
    return p;
  };
  const guarded = (body: z.infer<typeof remoteProviderSchema>): RemoteProviderInput => ({
    ...body,
    baseUrl: requireOutboundUrl(body.baseUrl, 'baseUrl', { allowLoopback: deps.allowLoopbackWebhooks }),
  });
  const tags = ['Own certificate'];
  const legacy = jsonContent(
    z.object({ baseUrl: z.string(), clientId: z.string(), caName: z.string() }),
    'The default provider (without the secret)',
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/',
      tags,
      summary:
        "Set the tenant's default remote-signing provider (the provider with id `default` in /providers; used when a signer names none); the secret is write-only",
      security: TENANT,
      request: { body: jsonBody(remoteSigningConfigSchema) },
      responses: { 200: legacy, ...errors('unauthorized', 'not_found', 'url_not_allowed') },
    }),
    async (c) => {
      const { caName, ...rest } = c.req.valid('json');
      const saved = await setDefaultRemoteProvider(providers(), c.get('tenantId'), guarded({ ...rest, name: caName }));
      return c.json({ baseUrl: saved.baseUrl, clientId: saved.clientId, caName: saved.name }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: "The tenant's default remote-signing provider (without the secret)",
      security: TENANT,
      responses: { 200: legacy, ...errors('unauthorized', 'not_found') },
    }),
    async (c) => {
      const saved = await getDefaultRemoteProvider(providers(), c.get('tenantId'));
      if (!saved) throw new AppError('not_found', 'No default remote-signing provider configured.');
      return c.json({ baseUrl: saved.baseUrl, clientId: saved.clientId, caName: saved.name }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/providers',
      tags,
      summary: 'Add a remote-signing provider (CSC API v2) signers may choose; the client secret is sealed with KMS and never returned',
      security: TENANT,
      request: { body: jsonBody(remoteProviderSchema) },
      responses: {
        201: jsonContent(RemoteProviderSchema, 'The provider (without the secret)'),
        ...errors('unauthorized', 'not_found', 'url_not_allowed', 'remote_provider_limit'),
      },
    }),
    async (c) => c.json(await addRemoteProvider(providers(), c.get('tenantId'), guarded(c.req.valid('json'))), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/providers',
      tags,
      summary:
        "Every remote-signing provider the tenant's signers may choose: the tenant's own (default first) and the deployment's; no secrets",
      security: TENANT,
      responses: {
        200: jsonContent(z.object({ providers: z.array(RemoteProviderSchema) }), 'Providers'),
        ...errors('unauthorized', 'not_found'),
      },
    }),
    async (c) => c.json({ providers: await listRemoteProviders(providers(), c.get('tenantId')) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/providers/{id}',
      tags,
      summary:
        "Remove one of the tenant's remote-signing providers (signing sessions already started with it fail; the deployment's cannot be removed: 403)",
      security: TENANT,
      request: { params: pathParams('id') },
      responses: { 204: { description: 'Removed' }, ...errors('unauthorized', 'not_found', 'forbidden', 'remote_provider_not_found') },
    }),
    async (c) => {
      await removeRemoteProvider(providers(), c.get('tenantId'), c.req.param('id'));
      return c.body(null, 204);
    },
  );
  return app;
};
