import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { openLink } from '../../../shared/envelope/open-link.js';
import { AppError } from '../../../shared/errors.js';
import { pickLang } from '../../../web/signer/i18n.js';
import { type LinkProblem, linkProblemPage, signerPage } from '../../../web/signer/page.js';
import type { AppDeps, AppEnv } from '../context.js';

const require = createRequire(import.meta.url);
const webFile = (name: string) => fileURLToPath(new URL(`../../../web/signer/${name}`, import.meta.url));

/** Static assets of the signer page, read once per container. pdf.js is loaded by the page only when it renders. */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'signer.js': { file: () => webFile('signer.js'), type: 'text/javascript; charset=utf-8' },
  'signer.css': { file: () => webFile('signer.css'), type: 'text/css; charset=utf-8' },
  'pdfjs/pdf.min.mjs': { file: () => require.resolve('pdfjs-dist/legacy/build/pdf.min.mjs'), type: 'text/javascript; charset=utf-8' },
  'pdfjs/pdf.worker.min.mjs': {
    file: () => require.resolve('pdfjs-dist/legacy/build/pdf.worker.min.mjs'),
    type: 'text/javascript; charset=utf-8',
  },
};
const cache = new Map<string, Uint8Array>();

/** Dead links get a friendly page saying why, with the API's status code. */
const LINK_PROBLEMS: Partial<Record<string, LinkProblem>> = {
  token_invalid: 'invalid',
  token_expired: 'expired',
  token_used: 'used',
  envelope_voided: 'voided',
  envelope_declined: 'declined',
  envelope_expired: 'expired',
};

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    // connect-src: the page also talks to the local signing agent on loopback ("Ký bằng USB token", docs/agent-protocol.md).
    "default-src 'self'; connect-src 'self' http://127.0.0.1:47601; script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export const pageRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();

  app.get('/s/:token', async (c) => {
    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'));
    try {
      const link = await openLink(deps, c.req.param('token'));
      // A declined recipient's own link: their part is over.
      if (link.recipient.status === 'declined') return c.body(linkProblemPage(lang, 'used'), 410, PAGE_HEADERS);
    } catch (e) {
      const kind = e instanceof AppError ? LINK_PROBLEMS[e.code] : undefined;
      if (e instanceof AppError && kind) return c.body(linkProblemPage(lang, kind), e.status as 404, PAGE_HEADERS);
      throw e;
    }
    return c.body(signerPage(lang), 200, PAGE_HEADERS);
  });

  app.get('/assets/*', (c) => {
    const name = c.req.path.replace(/^\/assets\//, '');
    const asset = ASSETS[name];
    if (!asset) throw new AppError('not_found', 'Not found.');
    let bytes = cache.get(name);
    if (!bytes) {
      bytes = new Uint8Array(readFileSync(asset.file()));
      cache.set(name, bytes);
    }
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': asset.type,
      'cache-control': name.startsWith('pdfjs/') ? 'public, max-age=86400' : 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    });
  });

  return app;
};
