import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { AppError } from '../../../shared/errors.js';
import type { AppEnv } from '../context.js';

const require = createRequire(import.meta.url);

/** Swagger UI's files come from the swagger-ui-dist package (shipped in the Lambda bundle: infra API_RUNTIME_FILES). */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'swagger-ui.css': { file: () => require.resolve('swagger-ui-dist/swagger-ui.css'), type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: () => require.resolve('swagger-ui-dist/swagger-ui-bundle.js'), type: 'text/javascript; charset=utf-8' },
};

/** Starts Swagger UI on the generated /openapi.json (a file of its own: the page's CSP allows no inline script). */
const INIT = `window.SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;
const cache = new Map<string, Uint8Array>();

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kyso API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script>
</body>
</html>`;

/** /docs: the interactive API reference, every asset served from here (no CDN), generated /openapi.json as its source. */
export const docsRoutes = () => {
  const app = new Hono<AppEnv>();
  app.get('/', (c) =>
    c.body(PAGE, 200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Swagger UI sets inline styles; scripts only from here.
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    }),
  );
  app.get('/assets/docs-init.js', (c) =>
    c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );
  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const asset = ASSETS[name];
    if (!asset) throw new AppError('not_found', 'Not found.');
    let bytes = cache.get(name);
    if (!bytes) {
      bytes = new Uint8Array(readFileSync(asset.file()));
      cache.set(name, bytes);
    }
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': asset.type,
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    });
  });
  return app;
};
