import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../shared/errors.js';
import { toPem } from '../../../shared/pki/certificate.js';
import type { CaName } from '../../../shared/pki/platform-pki.js';
import type { AppDeps } from '../context.js';
import { binaryContent, createRouter, errors } from '../openapi.js';

const CRL_FILES: Partial<Record<string, CaName>> = { 'root-ca.crl': 'root-ca', 'issuing-ca.crl': 'issuing-ca' };

/** Public PKI material validators need: the platform root (PEM and DER), the issuing CA, and the CAs' CRLs. */
export const pkiRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const tags = ['PKI'];
  const get = (path: string, summary: string, response: ReturnType<typeof binaryContent>, extra = {}) =>
    createRoute({ method: 'get', path, tags, summary, ...extra, responses: { 200: response } });
  app.openapi(get('/root.pem', 'Platform root certificate (PEM)', binaryContent('application/x-pem-file', 'PEM')), async (c) =>
    c.body(toPem((await deps.pki()).rootCertificate), 200, {
      'content-type': 'application/x-pem-file',
      'cache-control': 'public, max-age=3600',
    }),
  );
  app.openapi(get('/root.cer', 'Platform root certificate (DER)', binaryContent('application/pkix-cert', 'DER')), async (c) =>
    c.body((await deps.pki()).rootCertificate as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/pkix-cert',
      'cache-control': 'public, max-age=3600',
    }),
  );
  app.openapi(get('/issuing-ca.cer', 'Platform issuing CA certificate (DER)', binaryContent('application/pkix-cert', 'DER')), async (c) =>
    c.body((await deps.pki()).issuingCertificate as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/pkix-cert',
      'cache-control': 'public, max-age=3600',
    }),
  );
  // CRLs of the platform CAs, named in the CRL distribution points of the certificates they issue.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/crl/{file}',
      tags,
      summary: 'CRL of a platform CA (root-ca.crl, issuing-ca.crl), as named in the certificates’ CRL distribution points',
      // Any name is accepted here and an unknown one answers 404: a CRL that does not exist is not a malformed request.
      request: { params: z.object({ file: z.string().max(64).openapi({ example: 'issuing-ca.crl' }) }) },
      responses: { 200: binaryContent('application/pkix-crl', 'DER CRL'), ...errors('not_found') },
    }),
    async (c) => {
      const ca = CRL_FILES[c.req.param('file')];
      if (!ca) throw new AppError('not_found', 'No such CRL.');
      return c.body((await (await deps.pki()).crl(ca)) as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pkix-crl',
        // Re-signed daily, valid for a week: an hour of caching keeps relying parties current.
        'cache-control': 'public, max-age=3600',
      });
    },
  );
  return app;
};
