import { AppError } from '../errors.js';

/**
 * Console roles and API-key scopes: one ladder, read < send < admin.
 *
 * - viewer (scope `read`): reads envelopes, templates, reports, the key list; changes nothing.
 * - sender (scope `send`): also creates, sends, voids envelopes; templates, bulk sends, uploads,
 *   labour registrations; may make API keys of its own with `read`/`send` scopes.
 * - admin (scope `admin`): everything, including users, all API keys, webhooks, settings,
 *   the seal, remote-signing providers, legal holds and personal-data requests.
 *
 * Every route of the tenant API (/v1) and of the console (/app/api) is classified by
 * `requiredScope` below; a path no rule names needs `admin` (default deny), so a new
 * route family is closed until someone says otherwise here.
 */
export const ROLES = ['viewer', 'sender', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const SCOPES = ['read', 'send', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Scope, number> = { read: 0, send: 1, admin: 2 };
export const ROLE_SCOPE: Record<Role, Scope> = { viewer: 'read', sender: 'send', admin: 'admin' };

/** The scopes a key holds, each implying the ones below it (`send` reads too). */
export const expandScopes = (scopes: readonly Scope[]): Scope[] => {
  const top = Math.max(...scopes.map((s) => RANK[s]));
  return SCOPES.filter((s) => RANK[s] <= top);
};

export const hasScope = (held: readonly Scope[], needed: Scope): boolean => held.some((s) => RANK[s] >= RANK[needed]);

/** Whoever grants scopes can grant only what they hold themselves. */
export const canGrant = (role: Role, scopes: readonly Scope[]): boolean => scopes.every((s) => RANK[s] <= RANK[ROLE_SCOPE[role]]);

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** [path prefix (after /v1 or /app/api), scope to read, scope to change]; the first match wins. */
const RULES: readonly (readonly [RegExp, Scope, Scope])[] = [
  [/^\/envelopes\/[^/]+\/legal-hold(\/|$)/, 'read', 'admin'],
  [/^\/envelopes(\/|$)/, 'read', 'send'],
  [/^\/templates(\/|$)/, 'read', 'send'],
  [/^\/bulk(\/|$)/, 'read', 'send'],
  [/^\/uploads(\/|$)/, 'read', 'send'],
  [/^\/labour-contracts(\/|$)/, 'read', 'send'],
  [/^\/reports(\/|$)/, 'read', 'send'],
  [/^\/dashboard(\/|$)/, 'read', 'send'],
  // Senders may make and revoke keys of their own (the handler checks scopes and ownership).
  [/^\/keys(\/|$)/, 'read', 'send'],
  [/^\/(me|logout)(\/|$)/, 'read', 'read'],
  // Webhook endpoints carry their signing secrets: admin to read as well.
  [/^\/webhooks(\/|$)/, 'admin', 'admin'],
  [/^\/settings(\/|$)/, 'read', 'admin'],
  [/^\/seal(\/|$)/, 'read', 'admin'],
  [/^\/remote-signing(\/|$)/, 'admin', 'admin'],
  [/^\/users(\/|$)/, 'admin', 'admin'],
  [/^\/data-subjects(\/|$)/, 'admin', 'admin'],
];

export const requiredScope = (method: string, path: string): Scope => {
  for (const [pattern, read, write] of RULES) if (pattern.test(path)) return READ_ONLY.has(method.toUpperCase()) ? read : write;
  return 'admin';
};

/** 403 `insufficient_scope` (API key) or `insufficient_role` (console user), with what was needed. */
export const assertScope = (held: readonly Scope[], method: string, path: string, who: 'key' | 'user'): void => {
  const needed = requiredScope(method, path);
  if (hasScope(held, needed)) return;
  throw who === 'key'
    ? new AppError('insufficient_scope', `This API key lacks the "${needed}" scope this route needs.`, { needed })
    : new AppError('insufficient_role', `Your role cannot do this (it needs ${needed === 'admin' ? 'an admin' : 'a sender'}).`, { needed });
};
