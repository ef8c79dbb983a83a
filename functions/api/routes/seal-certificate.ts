import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../shared/errors.js';
import { fromPem, toPem } from '../../../shared/pki/certificate.js';
import { createSealCsr, installSealCertificate } from '../../../shared/seal/seal-certificate.js';
import { tenantAuth } from '../auth.js';
import type { AppDeps } from '../context.js';
import { binaryContent, createRouter, errors, jsonContent, TENANT } from '../openapi.js';

export const sealCertificateSchema = z.object({
  /** The seal certificate and its CA chain as the CA returned them, PEM, any order. */
  certificatesPem: z.string().min(1).max(200_000),
});

/**
 * The seal's certificate from a real CA: GET /v1/seal/csr (PKCS#10, PEM; ?format=der for
 * DER) signed through the seal's KMS key, and POST /v1/seal/certificate with the chain the
 * CA issued (checked: the seal key's public key, signing key usage, a path to a trusted root).
 */
export const sealCertificateRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const tags = ['Seal'];
  app.use('*', tenantAuth(deps.tenants));
  const keys = () => {
    if (!deps.sealKeys) throw new AppError('not_found', 'Seals are not available in this deployment.');
    return deps.sealKeys;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/csr',
      tags,
      summary: 'A PKCS#10 CSR for the seal, signed through its KMS key (PEM; ?format=der for DER), for a CA to issue the seal certificate',
      security: TENANT,
      request: { query: z.object({ format: z.enum(['pem', 'der']).optional() }) },
      responses: { 200: binaryContent('application/pkcs10', 'The CSR'), ...errors('unauthorized', 'not_found') },
    }),
    async (c) => {
      const csr = await createSealCsr(keys(), c.get('tenantId'));
      if (c.req.query('format') === 'der') {
        return c.body(csr as Uint8Array<ArrayBuffer>, 200, {
          'content-type': 'application/pkcs10',
          'content-disposition': 'attachment; filename="seal.csr"',
        });
      }
      return c.body(toPem(csr, 'CERTIFICATE REQUEST'), 200, { 'content-type': 'application/pkcs10; charset=utf-8' });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/certificate',
      tags,
      summary: 'Install the seal certificate the CA issued, with its chain (checked: the seal key, key usage, a path to a trusted root)',
      security: TENANT,
      request: {
        body: {
          required: true,
          content: {
            // Plain schemas: the handler reads either form itself (a PEM body, or JSON checked by sealCertificateSchema).
            'application/json': {
              schema: { type: 'object', required: ['certificatesPem'], properties: { certificatesPem: { type: 'string' } } },
            },
            'application/x-pem-file': { schema: { type: 'string' } },
          },
        },
      },
      responses: {
        200: jsonContent(
          z.object({
            status: z.literal('active'),
            subject: z.string(),
            notAfter: z.string(),
            certificatePem: z.string(),
            chainPem: z.string(),
          }),
          'Installed',
        ),
        ...errors('unauthorized', 'not_found', 'certificate_rejected'),
      },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      const pem = type.includes('json')
        ? sealCertificateSchema.parse(await c.req.json().catch(() => ({}))).certificatesPem
        : await c.req.text();
      const uploaded = fromPem(pem);
      const tenantId = c.get('tenantId');
      const anchors = [(await deps.pki()).rootCertificate, ...(deps.trustedRoots ?? []), ...(await deps.trustLists.rootsFor(tenantId))];
      const installed = await installSealCertificate(keys(), anchors, tenantId, uploaded, deps.clock.now());
      deps.logger.info('seal certificate installed', { tenantId });
      return c.json(
        {
          status: 'active' as const,
          subject: installed.subject,
          notAfter: installed.notAfter,
          certificatePem: toPem(installed.certificate),
          chainPem: installed.chain.map((d) => toPem(d)).join(''),
        },
        200,
      );
    },
  );

  return app;
};
