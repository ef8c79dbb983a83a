import { describe, expect, it } from 'vitest';
import { canGrant, expandScopes, hasScope, requiredScope, type Scope } from '../../../shared/console/roles.js';

/** [method, path under /v1 or /app/api, scope needed]: every route family of the tenant API and the console. */
const TABLE: readonly [string, string, Scope][] = [
  ['GET', '/envelopes', 'read'],
  ['GET', '/envelopes/e1/documents/d1', 'read'],
  ['POST', '/envelopes', 'send'],
  ['POST', '/envelopes/e1/send', 'send'],
  ['POST', '/envelopes/e1/void', 'send'],
  ['DELETE', '/envelopes/e1', 'send'],
  ['GET', '/envelopes/e1/legal-hold', 'read'],
  ['POST', '/envelopes/e1/legal-hold', 'admin'],
  ['DELETE', '/envelopes/e1/legal-hold', 'admin'],
  ['GET', '/templates', 'read'],
  ['POST', '/templates', 'send'],
  ['POST', '/bulk', 'send'],
  ['GET', '/bulk/b1', 'read'],
  ['POST', '/uploads', 'send'],
  ['POST', '/labour-contracts/x/appendix', 'send'],
  ['GET', '/reports/labour', 'read'],
  ['GET', '/keys', 'read'],
  ['POST', '/keys', 'send'],
  ['GET', '/me', 'read'],
  ['POST', '/logout', 'read'],
  ['GET', '/webhooks', 'admin'],
  ['POST', '/webhooks', 'admin'],
  ['GET', '/settings', 'read'],
  ['PUT', '/settings', 'admin'],
  ['POST', '/seal', 'admin'],
  ['GET', '/seal', 'read'],
  ['POST', '/seal/csr', 'admin'],
  ['PUT', '/remote-signing', 'admin'],
  ['POST', '/remote-signing/providers', 'admin'],
  ['GET', '/remote-signing/providers', 'admin'],
  ['DELETE', '/remote-signing/providers/rsp_x', 'admin'],
  ['GET', '/users', 'admin'],
  ['POST', '/users', 'admin'],
  ['GET', '/data-subjects', 'admin'],
  ['PUT', '/verify/trust-roots', 'admin'],
  ['POST', '/something-new', 'admin'],
  ['GET', '/something-new', 'admin'],
  ['GET', '/envelopesX', 'admin'],
];

describe('roles and scopes', () => {
  it.each(TABLE)('%s %s needs %s', (method, path, scope) => {
    expect(requiredScope(method, path)).toBe(scope);
  });

  it('ranks read < send < admin', () => {
    expect(expandScopes(['send'])).toEqual(['read', 'send']);
    expect(expandScopes(['admin'])).toEqual(['read', 'send', 'admin']);
    expect(hasScope(['read'], 'send')).toBe(false);
    expect(hasScope(['send'], 'read')).toBe(true);
    expect(hasScope(['admin'], 'admin')).toBe(true);
    expect(canGrant('sender', ['read', 'send'])).toBe(true);
    expect(canGrant('sender', ['admin'])).toBe(false);
    expect(canGrant('viewer', ['send'])).toBe(false);
    expect(canGrant('admin', ['admin'])).toBe(true);
  });
});
