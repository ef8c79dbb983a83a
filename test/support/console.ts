import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { base32Decode, totp } from '../../shared/console/totp.js';
import { call, createTenant, uniqueEmail } from './api.js';

/** The password the tests give console users (long enough for the policy, with diacritics). */
export const CONSOLE_PASSWORD = 'mật khẩu đủ dài 123';

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
  const email = uniqueEmail(emailHint);
  const password = user.password ?? CONSOLE_PASSWORD;
  const r = await call('POST', `/admin/tenants/${tenant.tenantId}/users`, {
    key: inject('adminKey'),
    json: { email, name: user.name ?? 'Phòng Nhân sự', password, ...(user.role ? { role: user.role } : {}) },
  });
  if (r.status !== 201) throw new Error(`console user: ${r.status} ${JSON.stringify(r.body)}`);
  return { ...tenant, email, password };
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
