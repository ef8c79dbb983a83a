import { Hono } from 'hono';
import type { TenantRepository } from '../../../shared/envelope/ports.js';
import { randomId } from '../../../shared/util/bytes.js';
import { adminAuth, hashApiKey } from '../auth.js';
import type { AppDeps, AppEnv } from '../context.js';
import { createTenantSchema } from '../schemas.js';

/** Creates a tenant and its first API key. The key is returned once and stored only as a hash. */
export const createTenant = async (tenants: TenantRepository, name: string, now: Date, apiKey = `kyso_${randomId(24)}`) => {
  const tenant = { id: randomId(9), name, createdAt: now.toISOString() };
  await tenants.create(tenant);
  await tenants.putApiKey(hashApiKey(apiKey), tenant.id);
  return { tenant, apiKey };
};

export const adminRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.use('*', adminAuth(deps.adminKey));
  app.post('/tenants', async (c) => {
    const { name } = createTenantSchema.parse(await c.req.json().catch(() => ({})));
    const created = await createTenant(deps.tenants, name, deps.clock.now());
    deps.logger.info('tenant created', { tenantId: created.tenant.id });
    return c.json(created, 201);
  });
  return app;
};
