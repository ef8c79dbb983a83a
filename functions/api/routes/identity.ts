import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { openLink } from '../../../shared/envelope/open-link.js';
import { requireVerified } from '../../../shared/envelope/signer-auth.js';
import { AppError } from '../../../shared/errors.js';
import { proveByDocument } from '../../../shared/identity/prove-by-document.js';
import { finishOidcProof, startOidcProof } from '../../../shared/identity/prove-by-oidc.js';
import type { AppDeps, AppEnv } from '../context.js';
import { jsonBody } from '../json-body.js';
import { createRouter, errors, LINK_ERRORS, pathParams } from '../openapi.js';
import { requestMeta } from '../request-meta.js';

const MAX_IMAGE_BASE64 = Math.ceil((2 * 1024 * 1024 * 4) / 3);
const image = z
  .string()
  .min(16)
  .max(MAX_IMAGE_BASE64)
  .regex(/^[A-Za-z0-9+/=\s]+$/, 'base64');
export const documentProofSchema = z.object({ front: image, back: image, selfie: image }).strict();
export const oidcStartSchema = z.object({ loginHint: z.string().max(200).optional() }).strict();

/** What a signer sees about their proof: method, provider, when and the verified name — not their ID number or images. */
const presentProof = (e: { method: string; provider: string; verifiedAt: string; fullName: string }) => ({
  verified: true,
  method: e.method,
  provider: e.provider,
  verifiedAt: e.verifiedAt,
  fullName: e.fullName,
});

/** Identity proofing for a link holder (eKYC document + selfie, or VNeID via OpenID Connect). */
export const signIdentityRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const tags = ['Signer'];
  const loose = { 'application/json': { schema: { type: 'object' as const } } };
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/identity/document',
      tags,
      summary: 'Prove identity with the citizen ID card (front, back) and a selfie (eKYC)',
      description:
        'JSON {front, back, selfie}: base64 JPEG/PNG, each ≤ 2 MB. 422 identity_mismatch, 423 identity_locked after 5 failures, 503 identity_provider_unavailable (not counted). Images are stored encrypted and never returned.',
      middleware: [bodyLimit({ maxSize: MAX_IMAGE_BASE64 * 3 + 1024 })] as const,
      request: { params: pathParams('token'), body: { required: true, content: loose } },
      responses: {
        200: {
          description: 'Verified',
          content: {
            'application/json': {
              schema: z.object({
                verified: z.boolean(),
                method: z.string(),
                provider: z.string(),
                verifiedAt: z.string(),
                fullName: z.string(),
              }),
            },
          },
        },
        ...errors(...LINK_ERRORS),
      },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      await requireVerified(deps, link, { identity: false });
      const body = documentProofSchema.parse(await jsonBody(c.req.raw));
      const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
      const evidence = await proveByDocument(
        deps,
        link,
        { front: bytes(body.front), back: bytes(body.back), selfie: bytes(body.selfie) },
        requestMeta(c),
      );
      return c.json(presentProof(evidence), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/identity/oidc',
      tags,
      summary: 'Start proving identity with VNeID through an OpenID Connect provider: returns { authorizationUrl }',
      request: { params: pathParams('token'), body: { required: false, content: loose } },
      responses: {
        200: {
          description: 'Where to send the browser',
          content: { 'application/json': { schema: z.looseObject({ authorizationUrl: z.string() }) } },
        },
        ...errors(...LINK_ERRORS),
      },
    }),
    async (c) => {
      const link = await openLink(deps, c.req.param('token'));
      await requireVerified(deps, link, { identity: false });
      const raw = await c.req.text();
      const { loginHint } = oidcStartSchema.parse(raw ? JSON.parse(raw) : {});
      return c.json({ ...(await startOidcProof(deps, link, loginHint)) }, 200);
    },
  );
  return app;
};

const page = (ok: boolean, message: string) =>
  `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Kyso</title></head><body style="font-family:system-ui,sans-serif;padding:1rem"><h1>${
    ok ? 'Đã xác minh danh tính' : 'Chưa xác minh được danh tính'
  }</h1><p>${message}</p><p><a id="back" href="/">Quay lại trang ký / Back to signing</a></p><script>const t=sessionStorage.getItem('kyso-identity-return');if(t&&/^[A-Za-z0-9_-]+$/.test(t)){document.getElementById('back').href='/s/'+t;${ok ? "location.replace('/s/'+t);" : ''}}</script></body></html>`;

/** The OpenID Connect redirect URI: /identity/oidc/callback. Answers a page that returns the signer to their link. */
export const identityCallbackRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.get('/oidc/callback', async (c) => {
    const state = c.req.query('state');
    if (!state || !/^[A-Za-z0-9_-]{16,100}$/.test(state)) throw new AppError('bad_request', 'Missing or malformed state.');
    const code = c.req.query('code');
    const error = c.req.query('error');
    const errorDescription = c.req.query('error_description');
    try {
      await finishOidcProof(
        deps,
        { state, ...(code ? { code } : {}), ...(error ? { error } : {}), ...(errorDescription ? { errorDescription } : {}) },
        requestMeta(c),
      );
    } catch (e) {
      if (e instanceof AppError && c.req.header('accept')?.includes('text/html')) {
        return c.html(
          page(false, e.code === 'identity_provider_unavailable' ? 'Dịch vụ xác minh tạm thời không khả dụng.' : 'Thông tin không khớp.'),
          e.status as 400,
        );
      }
      throw e;
    }
    if (c.req.header('accept')?.includes('text/html')) return c.html(page(true, 'Bạn có thể quay lại để ký.'));
    return c.json({ verified: true });
  });
  return app;
};
