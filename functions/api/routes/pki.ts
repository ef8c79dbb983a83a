import { Hono } from 'hono';
import { AppError } from '../../../shared/errors.js';
import { toPem } from '../../../shared/pki/certificate.js';
import type { CaName } from '../../../shared/pki/platform-pki.js';
import type { AppDeps, AppEnv } from '../context.js';

const CRL_FILES: Partial<Record<string, CaName>> = { 'root-ca.crl': 'root-ca', 'issuing-ca.crl': 'issuing-ca' };

/** Public PKI material validators need: the platform root (PEM and DER), the issuing CA, and the CAs' CRLs. */
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
  // CRLs of the platform CAs, named in the CRL distribution points of the certificates they issue.
  app.get('/crl/:file', async (c) => {
    const ca = CRL_FILES[c.req.param('file')];
    if (!ca) throw new AppError('not_found', 'No such CRL.');
    return c.body((await (await deps.pki()).crl(ca)) as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/pkix-crl',
      // Re-signed daily, valid for a week: an hour of caching keeps relying parties current.
      'cache-control': 'public, max-age=3600',
    });
  });
  return app;
};
