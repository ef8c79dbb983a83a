import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { fromPem, toPem } from '../../../shared/pki/certificate.js';
import { createSealCsr, installSealCertificate } from '../../../shared/seal/seal-certificate.js';
import { tenantAuth } from '../auth.js';
import type { AppDeps, AppEnv } from '../context.js';

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
  const app = new Hono<AppEnv>();
  app.use('*', tenantAuth(deps.tenants));
  const keys = () => {
    if (!deps.sealKeys) throw new AppError('not_found', 'Seals are not available in this deployment.');
    return deps.sealKeys;
  };

  app.get('/csr', async (c) => {
    const csr = await createSealCsr(keys(), c.get('tenantId'));
    if (c.req.query('format') === 'der') {
      return c.body(csr as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pkcs10',
        'content-disposition': 'attachment; filename="seal.csr"',
      });
    }
    return c.body(toPem(csr, 'CERTIFICATE REQUEST'), 200, { 'content-type': 'application/pkcs10; charset=utf-8' });
  });

  app.post('/certificate', async (c) => {
    const type = c.req.header('content-type') ?? '';
    const pem = type.includes('json')
      ? sealCertificateSchema.parse(await c.req.json().catch(() => ({}))).certificatesPem
      : await c.req.text();
    const uploaded = fromPem(pem);
    const tenantId = c.get('tenantId');
    const anchors = [
      (await deps.pki()).rootCertificate,
      ...(deps.trustedRoots ?? []),
      ...((await deps.trustLists?.rootsFor(tenantId)) ?? []),
    ];
    const installed = await installSealCertificate(keys(), anchors, tenantId, uploaded, deps.clock.now());
    deps.logger.info('seal certificate installed', { tenantId });
    return c.json({
      status: 'active',
      subject: installed.subject,
      notAfter: installed.notAfter,
      certificatePem: toPem(installed.certificate),
      chainPem: installed.chain.map((d) => toPem(d)).join(''),
    });
  });

  return app;
};
