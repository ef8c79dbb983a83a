import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import { canGrant, expandScopes, ROLE_SCOPE, SCOPES } from '../../../shared/console/roles.js';
import { completeSignIn, hashSessionId, type SignInResult, signIn } from '../../../shared/console/sign-in.js';
import { searchEnvelopes } from '../../../shared/envelope/search-envelopes.js';
import { AppError } from '../../../shared/errors.js';
import { randomId } from '../../../shared/util/bytes.js';
import { consolePage } from '../../../web/console/page.js';
import { pickLang } from '../../../web/signer/i18n.js';
import { hashApiKey } from '../auth.js';
import { assertSameOrigin, type ConsoleEnv, clearSessionCookie, SESSION_COOKIE, sessionAuth, setSessionCookie } from '../console-auth.js';
import type { AppDeps } from '../context.js';
import { presentEnvelope } from '../present.js';
import { bulkRoutes } from './bulk.js';
import { consoleAccountRoutes } from './console-accounts.js';
import { dashboardRoutes } from './console-dashboard.js';
import { dataSubjectRoutes } from './data-subjects.js';
import { deliveryRoutes } from './deliveries.js';
import { envelopeWorkflowRoutes } from './envelope-workflow.js';
import { envelopeRoutes } from './envelopes.js';
import { labourConversionRoutes, labourRegistrationRoutes, labourReportRoutes } from './labour.js';
import { remoteSigningRoutes } from './remote-signing.js';
import { templateRoutes } from './templates.js';

const loginSchema = z.object({ email: z.string().trim().max(254), password: z.string().min(1).max(200) });
const secondFactorSchema = z
  .object({
    challenge: z.string().max(100),
    code: z.string().trim().max(10).optional(),
    recoveryCode: z.string().trim().max(40).optional(),
  })
  .refine((b) => b.code || b.recoveryCode, { message: 'Send code or recoveryCode.' });
const apiKeySchema = z.object({ label: z.string().trim().min(1).max(100), scopes: z.array(z.enum(SCOPES)).min(1).max(3).optional() });
const STATUSES = ['draft', 'sent', 'completed', 'declined', 'voided', 'expired'] as const;

// html.js (web/shared/) sits beside the console's scripts so they import it relatively, as the signer page does.
const webFile = (name: string) =>
  fileURLToPath(new URL(name === 'html.js' ? '../../../web/shared/html.js' : `../../../web/console/${name}`, import.meta.url));
const ASSETS: Record<string, string> = {
  'html.js': 'text/javascript; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'compose.js': 'text/javascript; charset=utf-8',
  'templates.js': 'text/javascript; charset=utf-8',
  'labour.js': 'text/javascript; charset=utf-8',
  'data-subjects.js': 'text/javascript; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'users.js': 'text/javascript; charset=utf-8',
  'security.js': 'text/javascript; charset=utf-8',
  'remote-signing.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};
const cache = new Map<string, Uint8Array>();

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const readJson = async (req: Request): Promise<unknown> => {
  if (!(req.headers.get('content-type') ?? '').startsWith('application/json')) {
    throw new AppError('unsupported_media_type', 'Send application/json.');
  }
  return req.json().catch(() => {
    throw new AppError('bad_request', 'The body is not valid JSON.');
  });
};

/**
 * The sender console: the page shell at /app, and /app/api/* for its script. Envelope,
 * workflow, template and bulk routes are the tenant API's own sub-apps mounted behind the
 * session instead of an API key, so the console has no envelope logic of its own.
 */
export const consoleRoutes = (deps: AppDeps) => {
  const app = new Hono<ConsoleEnv>();

  app.get('/', (c) => c.body(consolePage(pickLang(c.req.query('lang'), c.req.header('accept-language'))), 200, PAGE_HEADERS));
  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const type = ASSETS[name];
    if (!type) throw new AppError('not_found', 'Not found.');
    let bytes = cache.get(name);
    if (!bytes) {
      bytes = new Uint8Array(readFileSync(webFile(name)));
      cache.set(name, bytes);
    }
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': type,
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    });
  });

  /** A finished sign-in: the cookie, and what the page needs (recovery codes only right after enrolment, once). */
  const started = (c: Context<ConsoleEnv>, result: Extract<SignInResult, { next: 'session' }>) => {
    const { sessionId, session } = result;
    setSessionCookie(c, deps.publicUrl, sessionId);
    deps.logger.info('console sign-in', { tenantId: session.tenantId, userId: session.userId, enrolled: Boolean(result.recoveryCodes) });
    return c.json({
      next: 'session' as const,
      email: session.email,
      role: session.role,
      csrfToken: session.csrfToken,
      ...(result.recoveryCodes ? { recoveryCodes: result.recoveryCodes } : {}),
    });
  };

  // Step 1: email + password → a session, or a challenge for step 2 (TOTP, or enrolment for an admin without it).
  app.post('/api/login', async (c) => {
    // Login CSRF: a JSON body cannot come from a cross-site form, and Origin must be ours.
    assertSameOrigin(c, deps.publicUrl);
    const { email, password } = loginSchema.parse(await readJson(c.req.raw));
    const result = await signIn(deps, { email, password, ip: c.get('clientIp') });
    if (result.next === 'session') return started(c, result);
    return c.json(result);
  });
  // Step 2: the 6-digit code (or a recovery code) against the challenge from step 1.
  app.post('/api/login/totp', async (c) => {
    assertSameOrigin(c, deps.publicUrl);
    const body = secondFactorSchema.parse(await readJson(c.req.raw));
    return started(c, await completeSignIn(deps, { ...body, ip: c.get('clientIp') }));
  });

  app.use('/api/*', async (c, next) => (c.req.path.startsWith('/app/api/login') ? next() : sessionAuth(deps)(c, next)));

  app.post('/api/logout', async (c) => {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) await deps.console.deleteSession(hashSessionId(id));
    clearSessionCookie(c, deps.publicUrl);
    return c.body(null, 204);
  });

  app.get('/api/me', async (c) => {
    const session = c.get('session');
    const tenant = await deps.tenants.get(session.tenantId);
    return c.json({
      email: session.email,
      role: session.role ?? 'viewer',
      tenant: { id: session.tenantId, name: tenant?.name ?? '' },
      csrfToken: session.csrfToken,
    });
  });

  app.get('/api/envelopes', async (c) => {
    const status = z
      .enum(STATUSES)
      .optional()
      .parse(c.req.query('status') || undefined);
    const q = c.req.query('q')?.slice(0, 200);
    const items = await searchEnvelopes(deps.envelopes, c.get('tenantId'), { status, q }, { limit: 200 });
    items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return c.json({ items: items.map(presentEnvelope) });
  });
  app.route('/api/envelopes', envelopeRoutes(deps));
  app.route('/api/envelopes', envelopeWorkflowRoutes(deps));
  app.route('/api/envelopes', labourRegistrationRoutes(deps));
  app.route('/api/envelopes', deliveryRoutes(deps));
  app.route('/api/labour-contracts', labourConversionRoutes(deps));
  app.route('/api/reports', labourReportRoutes(deps));
  app.route('/api/dashboard', dashboardRoutes(deps));
  app.route('/api/templates', templateRoutes(deps));
  app.route('/api/bulk', bulkRoutes(deps));
  app.route('/api/data-subjects', dataSubjectRoutes(deps));
  app.route('/api/remote-signing', remoteSigningRoutes(deps));

  app.get('/api/keys', async (c) => {
    const keys = await deps.console.listApiKeys(c.get('tenantId'));
    keys.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return c.json({
      items: keys.map(({ id, label, prefix, createdAt, scopes }) => ({
        id,
        label,
        prefix,
        createdAt,
        scopes: expandScopes(scopes ?? ['admin']),
      })),
    });
  });
  app.post('/api/keys', async (c) => {
    const session = c.get('session');
    const role = session.role ?? 'viewer';
    const body = apiKeySchema.parse(await readJson(c.req.raw));
    // A key never holds more than its maker: a sender's key cannot have the admin scope.
    const scopes = expandScopes(body.scopes ?? [ROLE_SCOPE[role]]);
    if (!canGrant(role, scopes)) {
      throw new AppError('insufficient_role', 'Your role cannot make a key with these scopes.', { needed: 'admin' });
    }
    const key = `kyso_${randomId(24)}`;
    const record = {
      id: randomId(9),
      tenantId: c.get('tenantId'),
      label: body.label,
      prefix: key.slice(0, 10),
      keyHash: hashApiKey(key),
      createdAt: deps.clock.now().toISOString(),
      scopes,
      createdBy: session.userId,
    };
    await deps.console.putApiKey(record);
    deps.logger.info('api key created', { tenantId: record.tenantId, keyId: record.id });
    // The only time the key is shown: it is stored as a hash.
    return c.json({ id: record.id, label: record.label, prefix: record.prefix, createdAt: record.createdAt, scopes, key }, 201);
  });
  app.delete('/api/keys/:id', async (c) => {
    const session = c.get('session');
    if (session.role !== 'admin') {
      // Senders revoke only the keys they made.
      const mine = (await deps.console.listApiKeys(c.get('tenantId'))).find((k) => k.id === c.req.param('id'));
      if (mine && mine.createdBy !== session.userId)
        throw new AppError('insufficient_role', 'Only an admin can revoke this key.', { needed: 'admin' });
    }
    if (!(await deps.console.revokeApiKey(c.get('tenantId'), c.req.param('id')))) throw new AppError('not_found', 'No such key.');
    deps.logger.info('api key revoked', { tenantId: c.get('tenantId'), keyId: c.req.param('id') });
    return c.body(null, 204);
  });

  // Users of the tenant (admin only, by roles.ts) and the signed-in user's own security (any role).
  app.route('/api', consoleAccountRoutes(deps));

  return app;
};
