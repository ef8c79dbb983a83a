import { createRoute, z } from '@hono/zod-openapi';
import { createUser } from '../../../shared/console/create-user.js';
import { ROLES } from '../../../shared/console/roles.js';
import type { TenantRepository } from '../../../shared/envelope/ports.js';
import { AppError } from '../../../shared/errors.js';
import { randomId } from '../../../shared/util/bytes.js';
import { requirePlainText } from '../../../shared/util/plain-text.js';
import { adminAuth, hashApiKey } from '../auth.js';
import type { AppDeps } from '../context.js';
import { ADMIN, createRouter, errors, jsonBody, jsonContent, pathParams } from '../openapi.js';
import { createTenantSchema } from '../schemas.js';

/** Creates a tenant and its first API key. The key is returned once and stored only as a hash. */
export const createTenant = async (tenants: TenantRepository, name: string, now: Date, apiKey = `kyso_${randomId(24)}`) => {
  const tenant = { id: randomId(9), name, createdAt: now.toISOString() };
  await tenants.create(tenant);
  await tenants.putApiKey(hashApiKey(apiKey), tenant.id);
  return { tenant, apiKey };
};

const createUserSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  password: z.string().min(10).max(200),
  role: z.enum(ROLES).optional().openapi({ description: 'admin (default; must enrol TOTP at first sign-in), sender or viewer' }),
});

const tags = ['Admin'];

export const adminRoutes = (deps: AppDeps) => {
  const app = createRouter();
  app.use('*', adminAuth(deps.adminKey));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants',
      tags,
      summary: 'Create a tenant and its first API key (returned once, stored only as a hash)',
      security: ADMIN,
      request: { body: jsonBody(createTenantSchema.openapi('CreateTenant', { example: { name: 'Công ty TNHH Minh Phát' } })) },
      responses: {
        201: jsonContent(
          z.object({ tenant: z.object({ id: z.string(), name: z.string(), createdAt: z.string() }), apiKey: z.string() }),
          'The tenant and its API key',
        ),
        ...errors('unauthorized', 'not_found', 'control_characters'),
      },
    }),
    async (c) => {
      const { name } = c.req.valid('json');
      // The tenant name becomes the seal's organisation (certificate subject) and appears in emails.
      requirePlainText(name, 'name');
      const created = await createTenant(deps.tenants, name, deps.clock.now());
      // Also listed on the console's API keys page, so it can be revoked there.
      await deps.console.putApiKey({
        id: randomId(9),
        tenantId: created.tenant.id,
        label: 'first key (admin)',
        prefix: created.apiKey.slice(0, 10),
        keyHash: hashApiKey(created.apiKey),
        createdAt: created.tenant.createdAt,
      });
      deps.logger.info('tenant created', { tenantId: created.tenant.id });
      return c.json(created, 201);
    },
  );
  /** A sender-console user of the tenant (email + password; the password is stored as a scrypt hash). */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants/{id}/users',
      tags,
      summary: 'Create a sender-console user of a tenant (the password is stored as a scrypt hash)',
      security: ADMIN,
      request: { params: pathParams('id'), body: jsonBody(createUserSchema) },
      responses: {
        201: jsonContent(z.object({ user: z.looseObject({ id: z.string(), email: z.string(), name: z.string() }) }), 'The user'),
        ...errors('unauthorized', 'not_found', 'conflict', 'control_characters'),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const tenantId = c.req.param('id');
      if (!(await deps.tenants.get(tenantId))) throw new AppError('not_found', 'No such tenant.');
      const user = await createUser(deps, { ...input, tenantId });
      deps.logger.info('console user created', { tenantId, userId: user.id });
      return c.json({ user }, 201);
    },
  );
  return app;
};
