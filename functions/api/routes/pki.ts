import { Hono } from 'hono';
import { toPem } from '../../../shared/pki/certificate.js';
import type { AppDeps, AppEnv } from '../context.js';

/** Public PKI material validators need: the platform root (PEM and DER). */
export const pkiRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.get('/root.pem', async (c) =>
    c.body(toPem((await deps.pki()).rootCertificate), 200, {
      'content-type': 'application/x-pem-file',
      'cache-control': 'public, max-age=3600',
    }),
  );
  app.get('/root.cer', async (c) =>
    c.body((await deps.pki()).rootCertificate as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/pkix-cert',
      'cache-control': 'public, max-age=3600',
    }),
  );
  app.get('/issuing-ca.cer', async (c) =>
    c.body((await deps.pki()).issuingCertificate as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/pkix-cert',
      'cache-control': 'public, max-age=3600',
    }),
  );
  return app;
};
