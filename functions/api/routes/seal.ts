import { Hono } from 'hono';
import { z } from 'zod';
import type { SealInfo } from '../../../shared/envelope/ports.js';
import { AppError } from '../../../shared/errors.js';
import { parseCertificate, toPem } from '../../../shared/pki/certificate.js';
import type { AppDeps, AppEnv } from '../context.js';

export const provisionSealSchema = z.object({
  organization: z.string().trim().min(1).max(200).optional(),
  /** Mã số thuế: 10 digits, or 10-3 for a branch. */
  taxCode: z
    .string()
    .trim()
    .regex(/^\d{10}(-\d{3})?$/, 'taxCode must be 10 digits (or 10-3 for a branch)'),
  keySpec: z.enum(['ECC_NIST_P256', 'RSA_2048', 'RSA_3072']).optional(),
});

const presentSeal = (s: SealInfo) => ({
  keyId: s.keyId,
  keySpec: s.keySpec,
  organization: s.organization,
  taxCode: s.taxCode,
  createdAt: s.createdAt,
  status: s.certificate ? 'active' : 'awaiting_certificate',
  ...(s.certificate
    ? {
        certificatePem: toPem(s.certificate),
        notAfter: parseCertificate(s.certificate).notAfter.value.toISOString(),
      }
    : {}),
});

/** The tenant's organisation seal: a KMS key per tenant and, in local mode, a certificate from the platform CA. */
export const sealRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();

  app.post('/', async (c) => {
    const seals = deps.seals;
    if (!seals) throw new AppError('not_found', 'Seals are not available in this deployment.');
    const body = await c.req.json().catch(() => {
      throw new AppError('bad_request', 'The body is not valid JSON.');
    });
    const input = provisionSealSchema.parse(body);
    const tenant = await deps.tenants.get(c.get('tenantId'));
    const had = await seals.describe(c.get('tenantId'));
    const seal = await seals.provision(c.get('tenantId'), {
      organization: input.organization ?? tenant?.name ?? 'Kyso tenant',
      taxCode: input.taxCode,
      ...(input.keySpec ? { keySpec: input.keySpec } : {}),
    });
    deps.logger.info('seal provisioned', { tenantId: seal.tenantId, keySpec: seal.keySpec });
    return c.json(presentSeal(seal), had ? 200 : 201);
  });

  app.get('/', async (c) => {
    const seal = await deps.seals.describe(c.get('tenantId'));
    if (!seal) throw new AppError('not_found', 'This tenant has no seal yet: POST /v1/seal.');
    return c.json(presentSeal(seal));
  });

  return app;
};
