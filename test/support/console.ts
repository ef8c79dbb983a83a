import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { base32Decode, totp } from '../../shared/console/totp.js';
import { baseUrl, call, createTenant, uniqueEmail } from './api.js';

/** The password the tests give console users (long enough for the policy, with diacritics). */
export const CONSOLE_PASSWORD = 'mật khẩu đủ dài 123';

/** One console user of an existing tenant, made through the admin API as an operator would; returns the email. */
export const addConsoleUser = async (
  tenantId: string,
  emailHint: string,
  user: { name?: string; role?: 'admin' | 'sender' | 'viewer'; password?: string } = {},
): Promise<string> => {
  const email = uniqueEmail(emailHint);
  const r = await call('POST', `/admin/tenants/${tenantId}/users`, {
    key: inject('adminKey'),
    json: {
      email,
      name: user.name ?? 'Phòng Nhân sự',
      password: user.password ?? CONSOLE_PASSWORD,
      ...(user.role ? { role: user.role } : {}),
    },
  });
  if (r.status !== 201) throw new Error(`console user: ${r.status} ${JSON.stringify(r.body)}`);
  return email;
};

/**
 * A new tenant and one console user made through the admin API, as an operator would. Admins (the
 * default role) must enrol TOTP at their first sign-in; pass `role: 'sender'` to sign in with the password alone.
 */
export const tenantWithConsoleUser = async (
  tenantName: string,
  emailHint: string,
  user: { name?: string; role?: 'admin' | 'sender' | 'viewer'; password?: string } = {},
): Promise<{ tenantId: string; apiKey: string; email: string; password: string }> => {
  const tenant = await createTenant(tenantName);
  const email = await addConsoleUser(tenant.tenantId, emailHint, user);
  return { ...tenant, email, password: user.password ?? CONSOLE_PASSWORD };
};

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

/** Fills the console's sign-in form (Vietnamese labels) and submits it, as a person would; the page must show the form. */
export const fillSignIn = async (page: Page, email: string, password: string = CONSOLE_PASSWORD): Promise<void> => {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
};

export interface ConsoleCallSession {
  cookie: string;
  csrf: string;
}
type ConsoleBody = Record<string, unknown> & { error?: { code: string } };

/** A console request as the page makes it: JSON, our Origin, the session cookie and CSRF token when signed in. */
export const consoleCall = async (method: string, path: string, o: { json?: unknown; session?: ConsoleCallSession } = {}) => {
  const headers: Record<string, string> = { origin: baseUrl() };
  if (o.json !== undefined) headers['content-type'] = 'application/json';
  if (o.session) Object.assign(headers, { cookie: o.session.cookie, 'x-csrf-token': o.session.csrf });
  const started = Date.now();
  const res = await fetch(`${baseUrl()}/app/api${path}`, {
    method,
    headers,
    ...(o.json !== undefined ? { body: JSON.stringify(o.json) } : {}),
  });
  const text = await res.text();
  let body: ConsoleBody = {};
  try {
    body = text ? (JSON.parse(text) as ConsoleBody) : {};
  } catch {
    body = { raw: text };
  }
  return {
    status: res.status,
    body,
    cookie: /kyso_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0],
    ms: Date.now() - started,
  };
};
