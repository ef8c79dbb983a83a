import { Hono } from 'hono';
import { z } from 'zod';
import {
  beginTotp,
  changePassword,
  confirmTotp,
  regenerateRecoveryCodes,
  totpStatus,
  turnOffTotp,
} from '../../../shared/console/account-security.js';
import { addUser, changeRole, resetTotp, setDisabled } from '../../../shared/console/manage-users.js';
import type { ConsoleUserSummary } from '../../../shared/console/ports.js';
import { ROLES } from '../../../shared/console/roles.js';
import { roleOf } from '../../../shared/console/sign-in.js';
import type { ConsoleEnv } from '../console-auth.js';
import type { AppDeps } from '../context.js';
import { jsonBody } from '../json-body.js';

const userSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  role: z.enum(ROLES),
  // Optional: without it the server makes an initial password and shows it once.
  password: z.string().min(10).max(200).optional(),
});
const roleSchema = z.object({ role: z.enum(ROLES) });
const codeSchema = z.object({ code: z.string().trim().max(10) });
const confirmSchema = z.object({ challenge: z.string().max(100), code: z.string().trim().max(10) });
const passwordSchema = z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) });

const presentUser = (u: ConsoleUserSummary) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  createdAt: u.createdAt,
  totpEnabled: u.totpEnabled,
  disabled: Boolean(u.disabled),
  ...(u.updatedAt ? { updatedAt: u.updatedAt, updatedBy: u.updatedBy } : {}),
});

/**
 * Console accounts (issue 15), mounted under /app/api behind the session (CSRF and roles by
 * console-auth.ts: /users needs admin, /me any role). /users: a tenant admin's management of
 * the tenant's users; /me: the signed-in user's own two-step sign-in and password.
 * Never logged: passwords, secrets, codes.
 */
export const consoleAccountRoutes = (deps: AppDeps) => {
  const app = new Hono<ConsoleEnv>();

  app.get('/users', async (c) => {
    const users = await deps.console.listUsers(c.get('tenantId'));
    users.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return c.json({ items: users.map(presentUser) });
  });
  app.post('/users', async (c) => {
    const input = userSchema.parse(await jsonBody(c.req.raw));
    const { user, initialPassword } = await addUser(deps, c.get('session'), input);
    deps.logger.info('console user created', { tenantId: user.tenantId, userId: user.id, role: roleOf(user) });
    const summary = { ...user, role: roleOf(user), totpEnabled: false };
    // The only time the initial password is shown: it is stored as a scrypt hash.
    return c.json({ user: presentUser(summary), ...(initialPassword ? { initialPassword } : {}) }, 201);
  });
  app.get('/users/changes', async (c) => {
    const items = await deps.console.listUserChanges(c.get('tenantId'), 50);
    return c.json({ items });
  });

  const done = (c: { get: (k: 'tenantId') => string }, id: string, action: string) => {
    deps.logger.info('console user changed', { tenantId: c.get('tenantId'), userId: id, action });
  };
  app.put('/users/:id/role', async (c) => {
    const { role } = roleSchema.parse(await jsonBody(c.req.raw));
    await changeRole(deps, c.get('session'), c.req.param('id'), role);
    done(c, c.req.param('id'), 'role');
    return c.body(null, 204);
  });
  app.post('/users/:id/disable', async (c) => {
    await setDisabled(deps, c.get('session'), c.req.param('id'), true);
    done(c, c.req.param('id'), 'disable');
    return c.body(null, 204);
  });
  app.post('/users/:id/enable', async (c) => {
    await setDisabled(deps, c.get('session'), c.req.param('id'), false);
    done(c, c.req.param('id'), 'enable');
    return c.body(null, 204);
  });
  app.post('/users/:id/totp/reset', async (c) => {
    await resetTotp(deps, c.get('session'), c.req.param('id'));
    done(c, c.req.param('id'), 'totp-reset');
    return c.body(null, 204);
  });

  app.get('/me/security', async (c) => c.json(await totpStatus(deps, c.get('session'))));
  app.post('/me/totp', async (c) => c.json(await beginTotp(deps, c.get('session'))));
  app.post('/me/totp/confirm', async (c) => {
    const body = confirmSchema.parse(await jsonBody(c.req.raw));
    const recoveryCodes = await confirmTotp(deps, c.get('session'), { ...body, ip: c.get('clientIp') });
    deps.logger.info('console totp on', { tenantId: c.get('tenantId'), userId: c.get('session').userId });
    return c.json({ recoveryCodes });
  });
  app.post('/me/totp/recovery-codes', async (c) => {
    const { code } = codeSchema.parse(await jsonBody(c.req.raw));
    const recoveryCodes = await regenerateRecoveryCodes(deps, c.get('session'), { code, ip: c.get('clientIp') });
    return c.json({ recoveryCodes });
  });
  app.post('/me/totp/off', async (c) => {
    const { code } = codeSchema.parse(await jsonBody(c.req.raw));
    await turnOffTotp(deps, c.get('session'), { code, ip: c.get('clientIp') });
    deps.logger.info('console totp off', { tenantId: c.get('tenantId'), userId: c.get('session').userId });
    return c.body(null, 204);
  });
  app.post('/me/password', async (c) => {
    const body = passwordSchema.parse(await jsonBody(c.req.raw));
    await changePassword(deps, c.get('session'), { ...body, ip: c.get('clientIp') });
    return c.body(null, 204);
  });

  return app;
};
