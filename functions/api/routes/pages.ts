import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { openEmbeddedLink } from '../../../shared/envelope/embedded-link.js';
import { openLink } from '../../../shared/envelope/open-link.js';
import type { SigningGrant } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';
import { type Lang, pickLang } from '../../../web/signer/i18n.js';
import { type LinkProblem, linkProblemPage, signerPage } from '../../../web/signer/page.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requestMeta } from '../request-meta.js';

const require = createRequire(import.meta.url);
const webFile = (name: string) => fileURLToPath(new URL(`../../../web/signer/${name}`, import.meta.url));

/** Static assets of the signer page, read once per container. pdf.js is loaded by the page only when it renders. */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'signer.js': { file: () => webFile('signer.js'), type: 'text/javascript; charset=utf-8' },
  'remote.js': { file: () => webFile('remote.js'), type: 'text/javascript; charset=utf-8' },
  'signer.css': { file: () => webFile('signer.css'), type: 'text/css; charset=utf-8' },
  // Shared by every page (the console serves html.js under /app/assets/ too, for its relative imports).
  'base.css': { file: () => fileURLToPath(new URL('../../../web/shared/base.css', import.meta.url)), type: 'text/css; charset=utf-8' },
  'html.js': { file: () => fileURLToPath(new URL('../../../web/shared/html.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
  'kyso-embed.js': {
    file: () => fileURLToPath(new URL('../../../web/embed/kyso-embed.js', import.meta.url)),
    type: 'text/javascript; charset=utf-8',
  },
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

/**
 * The page's headers. Only an embedded link's page may be framed, and only by the origin the
 * tenant named for it (validated as a bare origin when the link was made, so it cannot inject).
 */
const pageHeaders = (frameAncestor = "'none'") => ({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    // connect-src: the page also talks to the local signing agent on loopback ("Ký bằng USB token", docs/agent-protocol.md).
    `default-src 'self'; connect-src 'self' http://127.0.0.1:47601; script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors ${frameAncestor}`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
});
const PAGE_HEADERS = pageHeaders();
const embedOf = (grant: SigningGrant) =>
  grant.embed ? { origin: grant.embed.allowedOrigin, returnUrl: grant.embed.returnUrl } : undefined;

export const pageRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();

  /** The friendly page for a dead link, with the API's status; anything else is thrown on. */
  const linkProblem = (lang: Lang, e: unknown): { html: string; status: 404 } => {
    const kind = e instanceof AppError ? LINK_PROBLEMS[e.code] : undefined;
    if (e instanceof AppError && kind) return { html: linkProblemPage(lang, kind), status: e.status as 404 };
    throw e;
  };

  app.get('/s/:token', async (c) => {
    const query = c.req.query('lang');
    let link: Awaited<ReturnType<typeof openLink>>;
    try {
      link = await openLink(deps, c.req.param('token'));
    } catch (e) {
      const problem = linkProblem(pickLang(query, c.req.header('accept-language')), e);
      return c.body(problem.html, problem.status, PAGE_HEADERS);
    }
    // The envelope's language first (the signer can still switch with ?lang=); envelopes made before it had one: the browser's.
    const lang =
      query === 'vi' || query === 'en' ? query : (link.envelope.language ?? pickLang(undefined, c.req.header('accept-language')));
    const embed = embedOf(link.grant);
    const headers = pageHeaders(embed?.origin);
    // A declined recipient's own link: their part is over.
    if (link.recipient.status === 'declined') return c.body(linkProblemPage(lang, 'used'), 410, headers);
    return c.body(signerPage(lang, embed), 200, headers);
  });

  // Embedded signing: the single-use URL becomes the signer's session in one commit, then the page itself.
  app.get('/embed/:token', async (c) => {
    const query = c.req.query('lang');
    try {
      const { token } = await openEmbeddedLink(deps, c.req.param('token'), requestMeta(c));
      const lang = query === 'vi' || query === 'en' ? `?lang=${query}` : '';
      return c.redirect(`/s/${token}${lang}`, 303);
    } catch (e) {
      const problem = linkProblem(pickLang(query, c.req.header('accept-language')), e);
      return c.body(problem.html, problem.status, PAGE_HEADERS);
    }
  });

  const asset = (name: string) => {
    const known = ASSETS[name];
    if (!known) throw new AppError('not_found', 'Not found.');
    let bytes = cache.get(name);
    if (!bytes) {
      bytes = new Uint8Array(readFileSync(known.file()));
      cache.set(name, bytes);
    }
    return {
      bytes: bytes as Uint8Array<ArrayBuffer>,
      headers: {
        'content-type': known.type,
        'cache-control': name.startsWith('pdfjs/') ? 'public, max-age=86400' : 'public, max-age=300',
        'x-content-type-options': 'nosniff',
        // Tenants' pages load kyso-embed.js as a module from their own origin: that needs CORS.
        ...(name === 'kyso-embed.js' ? { 'access-control-allow-origin': '*' } : {}),
      },
    };
  };
  app.get('/assets/*', (c) => {
    const { bytes, headers } = asset(c.req.path.replace(/^\/assets\//, ''));
    return c.body(bytes, 200, headers);
  });

  return app;
};
