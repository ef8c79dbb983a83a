import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { ConsoleSession } from '../../shared/console/ports.js';
import { assertScope, ROLE_SCOPE } from '../../shared/console/roles.js';
import { resolveSession, SESSION_HOURS } from '../../shared/console/sign-in.js';
import { AppError } from '../../shared/errors.js';
import type { AppDeps, AppEnv } from './context.js';

export const SESSION_COOKIE = 'kyso_session';

export type ConsoleEnv = { Variables: AppEnv['Variables'] & { session: ConsoleSession } };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sameString = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * A browser sends Origin on every cross-origin request and on same-origin POSTs; when it is
 * there it must be ours (the public URL, or the host the request came to).
 */
export const assertSameOrigin = (c: Context, publicUrl: string) => {
  const origin = c.req.header('origin');
  if (!origin) return;
  const allowed = [new URL(publicUrl).origin, new URL(c.req.url).origin];
  if (!allowed.includes(origin)) throw new AppError('forbidden', 'Cross-origin request refused.');
};

export const setSessionCookie = (c: Context, publicUrl: string, sessionId: string) =>
  setCookie(c, SESSION_COOKIE, sessionId, {
    path: '/app',
    httpOnly: true,
    sameSite: 'Lax',
    secure: publicUrl.startsWith('https:'),
    maxAge: SESSION_HOURS * 3600,
  });

export const clearSessionCookie = (c: Context, publicUrl: string) =>
  deleteCookie(c, SESSION_COOKIE, { path: '/app', secure: publicUrl.startsWith('https:') });

/**
 * Console requests: a live session cookie sets the tenant exactly as an API key does, so the
 * tenant routes run unchanged behind it. State changes also need the session's CSRF token in
 * `x-csrf-token` (double submit: a cross-site form can send the cookie but cannot read the
 * token) and, when the browser sends one, our own Origin.
 */
export const sessionAuth = (deps: AppDeps) =>
  createMiddleware<ConsoleEnv>(async (c, next) => {
    const session = await resolveSession(deps, getCookie(c, SESSION_COOKIE));
    if (!session) throw new AppError('unauthorized', 'Please sign in.');
    if (!SAFE_METHODS.has(c.req.method)) {
      assertSameOrigin(c, deps.publicUrl);
      if (!sameString(c.req.header('x-csrf-token') ?? '', session.csrfToken)) {
        throw new AppError('forbidden', 'Missing or wrong CSRF token; reload the page.');
      }
    }
    // The role decides the route (shared/console/roles.ts): 403 insufficient_role, before any body is read.
    assertScope([ROLE_SCOPE[session.role ?? 'viewer']], c.req.method, c.req.path.replace(/^\/app\/api(?=\/)/, ''), 'user');
    c.set('session', session);
    c.set('tenantId', session.tenantId);
    await next();
  });
