import { base32Decode, totp } from '../../shared/console/totp.js';
import { call } from './api.js';

/**
 * Signs a console user in over HTTP as the page does, whatever their role: an admin without
 * TOTP enrols (the code is computed from the secret the server shows, as a phone would), an
 * admin with TOTP needs `secret`. Returns the session cookie and CSRF token.
 */
export const consoleSignIn = async (
  email: string,
  password: string,
  secret?: Uint8Array,
): Promise<{ cookie: string; csrfToken: string; secret?: Uint8Array; recoveryCodes?: string[] }> => {
  const first = await call<{ next: string; challenge?: string; secret?: string; csrfToken?: string }>('POST', '/app/api/login', {
    json: { email, password },
  });
  if (first.status !== 200) throw new Error(`console sign-in: ${first.status} ${JSON.stringify(first.body)}`);
  const cookieOf = (h: Headers) => (h.get('set-cookie') ?? '').split(';')[0] as string;
  if (first.body.next === 'session') return { cookie: cookieOf(first.headers), csrfToken: first.body.csrfToken as string };
  const key = first.body.next === 'enrol' ? base32Decode(first.body.secret as string) : secret;
  if (!key) throw new Error('console sign-in: this user has TOTP; pass its secret');
  const done = await call<{ csrfToken: string; recoveryCodes?: string[] }>('POST', '/app/api/login/totp', {
    json: { challenge: first.body.challenge, code: totp(key, new Date()) },
  });
  if (done.status !== 200) throw new Error(`console second factor: ${done.status} ${JSON.stringify(done.body)}`);
  return {
    cookie: cookieOf(done.headers),
    csrfToken: done.body.csrfToken,
    secret: key,
    ...(done.body.recoveryCodes ? { recoveryCodes: done.body.recoveryCodes } : {}),
  };
};
