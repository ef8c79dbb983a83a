import { createRoute, z } from '@hono/zod-openapi';
import type { Tenant } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';
import { DEFAULT_IDENTITY_IMAGE_DAYS, IDENTITY_IMAGE_DAYS } from '../../../shared/identity/ports.js';
import { labourIdentification } from '../../../shared/labour/prepare-labour-contract.js';
import { effectiveRetention } from '../../../shared/retention/retention-date.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, TENANT } from '../openapi.js';
import { requireOutboundUrl } from '../outbound-url.js';

const retentionClassSchema = z
  .object({
    years: z.number().int().min(1).max(100),
    from: z.enum(['completion', 'contractEnd']).default('completion'),
    atEnd: z.enum(['delete', 'review']),
  })
  .strict()
  .openapi('RetentionClass');

/** Retention classes per contract kind (issue 17); kinds left out keep the defaults. */
export const retentionSettingsSchema = z
  .object({ labourContract: retentionClassSchema, serviceContract: retentionClassSchema, other: retentionClassSchema })
  .partial()
  .strict();

/** Labour contracts (issue 13): `identityRequired: false` opts the tenant out of identity proofing of the parties (Decree 337). */
const labourSettingsSchema = z
  .object({
    identityRequired: z.boolean().openapi({
      description:
        'The employee (and an employer signing in person) of a new labour contract proves their identity (eKYC of the CCCD or VNeID) before signing; default: the deployment’s (on)',
    }),
  })
  .strict()
  .openapi('LabourSettings');

/** Each part is optional: a PUT changes only what it names. */
/** Identity images (issue 12): kept this many days, one of the lifecycle tiers of the bucket. */
const identityImageDaysSchema = z
  .union([z.literal(30), z.literal(90), z.literal(180), z.literal(365)] satisfies z.ZodLiteral<(typeof IDENTITY_IMAGE_DAYS)[number]>[])
  .openapi({
    description: `Days ID-card and selfie images are kept after a proofing attempt (${IDENTITY_IMAGE_DAYS.join(', ')}); the evidence stays in the audit trail. Default ${DEFAULT_IDENTITY_IMAGE_DAYS}.`,
    example: 90,
  });

export const settingsSchema = z
  .object({
    tsaUrls: z.array(z.url({ protocol: /^https?$/ }).max(500)).max(5),
    retention: retentionSettingsSchema,
    labour: labourSettingsSchema,
    identityImageDays: identityImageDaysSchema,
  })
  .partial();

const settingsView = z
  .object({
    tsaUrls: z.array(z.string()),
    retention: z.object({ labourContract: retentionClassSchema, serviceContract: retentionClassSchema, other: retentionClassSchema }),
    labour: labourSettingsSchema,
    identityImageDays: identityImageDaysSchema,
  })
  .openapi('Settings');

/**
 * Tenant settings. `tsaUrls`: the tenant's own RFC 3161 TSAs, tried in order before the
 * platform TSA (https only outside local mode). `retention`: how long completed envelopes are
 * kept, per contract kind (the defaults apply to kinds left out).
 */
export const settingsRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const view = jsonContent(settingsView, 'The settings');
  const present = (tenant: Tenant | undefined) => ({
    tsaUrls: [...(tenant?.tsaUrls ?? [])],
    retention: effectiveRetention(tenant),
    labour: { identityRequired: labourIdentification(tenant, deps.labour?.identityRequired).required },
    identityImageDays: tenant?.identityImageDays ?? DEFAULT_IDENTITY_IMAGE_DAYS,
  });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Settings'],
      summary: 'Tenant settings',
      security: TENANT,
      responses: { 200: view, ...errors('unauthorized') },
    }),
    async (c) => c.json(present(await deps.tenants.get(c.get('tenantId'))), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/',
      tags: ['Settings'],
      summary:
        'Change the tenant’s TSAs (tried in order before the platform TSA), retention classes and labour-contract identity proofing; parts left out are kept',
      security: TENANT,
      request: { body: jsonBody(settingsSchema) },
      responses: { 200: view, ...errors('unauthorized', 'not_found') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      // Server-side requests to tenant URLs (SSRF): https to public hosts, loopback only in local mode;
      // the guarded fetch checks the resolved address again at each request.
      for (const url of body.tsaUrls ?? []) requireOutboundUrl(url, 'tsaUrls', { allowLoopback: deps.allowLoopbackWebhooks });
      const tenant = await deps.tenants.get(c.get('tenantId'));
      if (!tenant) throw new AppError('not_found', 'Tenant not found.');
      const next: Tenant = {
        ...tenant,
        ...(body.tsaUrls ? { tsaUrls: body.tsaUrls } : {}),
        ...(body.retention ? { retention: { ...(tenant.retention ?? {}), ...body.retention } } : {}),
        ...(body.labour ? { labour: { ...(tenant.labour ?? {}), ...body.labour } } : {}),
        ...(body.identityImageDays ? { identityImageDays: body.identityImageDays } : {}),
      };
      await deps.tenants.create(next);
      if (body.retention) {
        // Settings change what future archives keep; logged per tenant (no envelope trail to carry it).
        deps.logger.info('retention classes changed', { tenantId: tenant.id, kinds: Object.keys(body.retention) });
      }
      if (body.labour) {
        // An opt-out of identifying labour-contract parties is a compliance decision: logged per tenant, and each contract records it.
        deps.logger.info('labour settings changed', { tenantId: tenant.id, identityRequired: body.labour.identityRequired });
      }
      return c.json(present(next), 200);
    },
  );
  return app;
};
