import { createRoute, z } from '@hono/zod-openapi';
import type { SealInfo } from '../../../shared/envelope/ports.js';
import { AppError } from '../../../shared/errors.js';
import { parseCertificate, toPem } from '../../../shared/pki/certificate.js';
import { requirePlainText } from '../../../shared/util/plain-text.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, TENANT } from '../openapi.js';

export const provisionSealSchema = z.object({
  organization: z.string().trim().min(1).max(200).optional(),
  /** Mã số thuế: 10 digits, or 10-3 for a branch. */
  taxCode: z
    .string()
    .trim()
    .regex(/^\d{10}(-\d{3})?$/, 'taxCode must be 10 digits (or 10-3 for a branch)'),
  keySpec: z.enum(['ECC_NIST_P256', 'RSA_2048', 'RSA_3072']).optional(),
});

const SealSchema = z
  .object({
    keyId: z.string(),
    keySpec: z.string(),
    organization: z.string(),
    taxCode: z.string(),
    createdAt: z.string(),
    status: z.enum(['active', 'awaiting_certificate']),
    certificatePem: z.string().optional(),
    notAfter: z.string().optional(),
  })
  .openapi('Seal');

const presentSeal = (s: SealInfo): z.infer<typeof SealSchema> => ({
  keyId: s.keyId,
  keySpec: s.keySpec,
  organization: s.organization,
  taxCode: s.taxCode,
  createdAt: s.createdAt,
  status: s.certificate ? ('active' as const) : ('awaiting_certificate' as const),
  ...(s.certificate
    ? {
        certificatePem: toPem(s.certificate),
        notAfter: parseCertificate(s.certificate).notAfter.value.toISOString(),
      }
    : {}),
});

/** The tenant's organisation seal: a KMS key per tenant and, in local mode, a certificate from the platform CA. */
export const sealRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const tags = ['Seal'];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Provision the tenant’s organisation seal: a KMS key per tenant (201), or update its details (200)',
      description:
        'In local mode the platform CA issues the seal certificate at once; on AWS the seal waits for a CA certificate (GET /v1/seal/csr, POST /v1/seal/certificate).',
      security: TENANT,
      request: {
        body: jsonBody(provisionSealSchema.openapi({ example: { organization: 'Công ty TNHH Minh Phát', taxCode: '0312345678' } })),
      },
      responses: {
        200: jsonContent(SealSchema, 'The seal (it existed)'),
        201: jsonContent(SealSchema, 'The seal'),
        ...errors('unauthorized', 'not_found', 'control_characters'),
      },
    }),
    async (c) => {
      const seals = deps.seals;
      if (!seals) throw new AppError('not_found', 'Seals are not available in this deployment.');
      const input = c.req.valid('json');
      // The organisation is the seal certificate's subject (O, CN): no control characters.
      if (input.organization) requirePlainText(input.organization, 'organization');
      const tenant = await deps.tenants.get(c.get('tenantId'));
      const had = await seals.describe(c.get('tenantId'));
      const seal = await seals.provision(c.get('tenantId'), {
        organization: input.organization ?? tenant?.name ?? 'Kyso tenant',
        taxCode: input.taxCode,
        ...(input.keySpec ? { keySpec: input.keySpec } : {}),
      });
      deps.logger.info('seal provisioned', { tenantId: seal.tenantId, keySpec: seal.keySpec });
      return c.json(presentSeal(seal), had ? 200 : 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: 'The tenant’s seal (404 if none)',
      security: TENANT,
      responses: { 200: jsonContent(SealSchema, 'The seal'), ...errors('unauthorized', 'not_found') },
    }),
    async (c) => {
      const seal = await deps.seals.describe(c.get('tenantId'));
      if (!seal) throw new AppError('not_found', 'This tenant has no seal yet: POST /v1/seal.');
      return c.json(presentSeal(seal), 200);
    },
  );

  return app;
};
