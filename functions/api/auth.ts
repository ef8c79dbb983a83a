import { timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { assertScope } from '../../shared/console/roles.js';
import type { TenantRepository } from '../../shared/envelope/ports.js';
import { AppError } from '../../shared/errors.js';
import { sha256Hex } from '../../shared/util/bytes.js';
import type { AdminKeySource } from '../aws/admin-key-secret.js';
import type { AppEnv } from './context.js';

export const hashApiKey = (key: string): string => sha256Hex(`kyso-api-key:${key}`);

const bearer = (header: string | undefined): string | undefined => /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];

/**
 * Resolves `Authorization: Bearer <api key>` to a tenant; the key is looked up by its hash only.
 * Then the key's scopes must cover the route (shared/console/roles.ts: 403 insufficient_scope);
 * keys made before scopes existed hold all of them.
 */
export const tenantAuth = (tenants: TenantRepository) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const key = bearer(c.req.header('authorization'));
    if (!key) throw new AppError('unauthorized', 'Send your API key as "Authorization: Bearer <key>".');
    const found = await tenants.findApiKey(hashApiKey(key));
    if (!found) throw new AppError('unauthorized', 'The API key is not valid.');
    assertScope(found.scopes ?? ['admin'], c.req.method, c.req.path.replace(/^\/v1(?=\/)/, ''), 'key');
    c.set('tenantId', found.tenantId);
    await next();
  });

export const adminAuth = (source: AdminKeySource | undefined) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const key = bearer(c.req.header('authorization'));
    if (!source) throw new AppError('not_found', 'Not found.');
    const adminKey = await source();
    const a = Buffer.from(key ?? '');
    const b = Buffer.from(adminKey);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError('unauthorized', 'Admin key required.');
    await next();
  });
