import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../shared/errors.js';
import { convertPaperContract } from '../../../shared/labour/convert-paper-contract.js';
import { labourReport, reportCsv, reportRange } from '../../../shared/labour/report.js';
import { retryRegistration } from '../../../shared/labour/retry-registration.js';
import type { AppDeps } from '../context.js';
import { conversionSchema, LabourReportRowSchema } from '../labour-schemas.js';
import { createRouter, errors, jsonBody, jsonContent, pathParams, TENANT } from '../openapi.js';
import { EnvelopeSchema, presentEnvelope } from '../present.js';
import { requestMeta } from '../request-meta.js';
import { decodeBase64 } from './envelopes.js';

const labourDeps = (deps: AppDeps) => {
  if (!deps.labour) throw new AppError('not_found', 'Labour contracts are not enabled in this deployment.');
  return deps.labour;
};

/** POST /v1/envelopes/{id}/labour-registration/retry (mounted under /v1/envelopes). */
export const labourRegistrationRoutes = (deps: AppDeps) => {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/labour-registration/retry',
      tags: ['Labour contracts'],
      summary: 'Retry a rejected registration with the national platform',
      description:
        'After the sender fixed what the platform objected to: the rejected registration goes back to `pending` and is delivered again (audited). Idempotent: a registration that is pending, submitted or registered is returned as it is.',
      security: TENANT,
      request: { params: pathParams('id') },
      responses: {
        202: jsonContent(EnvelopeSchema, 'The envelope, its registration pending again'),
        ...errors('unauthorized', 'envelope_not_found', 'labour_registration_not_retryable'),
      },
    }),
    async (c) => {
      const envelope = await retryRegistration(deps, c.get('tenantId'), c.req.valid('param').id, { type: 'tenant', id: c.get('tenantId') });
      return c.json(presentEnvelope(envelope), 202);
    },
  );
  return app;
};

/** POST /v1/labour-contracts/conversions (mounted under /v1/labour-contracts). */
export const labourConversionRoutes = (deps: AppDeps) => {
  const app = createRouter();
  app.openapi(
    {
      ...createRoute({
        method: 'post',
        path: '/conversions',
        tags: ['Labour contracts'],
        summary: 'Convert a paper labour contract',
        description:
          'A scan (PDF, base64) of a signed paper contract, its conversion record (who converted it, when, from which original) and its main terms: the scan is sealed with the tenant’s organisation seal (PAdES, timestamped; the seal must be provisioned) and, once sealed, registered with the national platform like any other contract. The envelope is returned `sent`; it completes when the seal is applied (moments later).',
        security: TENANT,
        request: { body: jsonBody(conversionSchema.openapi('PaperConversion')) },
        responses: {
          201: jsonContent(EnvelopeSchema, 'The conversion, its seal under way'),
          ...errors(
            'unauthorized',
            'invalid_labour_contract',
            'invalid_pdf',
            'encrypted_pdf',
            'empty_document',
            'seal_not_provisioned',
            'payload_too_large',
          ),
        },
      }),
      middleware: [bodyLimit({ maxSize: Math.ceil(deps.maxUploadBytes * 1.4) + 64 * 1024 })] as const,
    },
    async (c) => {
      const body = c.req.valid('json');
      const content = decodeBase64(body.document.contentBase64, 0);
      if (content.length > deps.maxUploadBytes) {
        throw new AppError('payload_too_large', `document is larger than ${Math.round(deps.maxUploadBytes / 1024 / 1024)} MB.`);
      }
      const envelope = await convertPaperContract(
        deps,
        c.get('tenantId'),
        {
          ...(body.title ? { title: body.title } : {}),
          document: { name: body.document.name, content },
          conversion: body.conversion,
          labourContract: body.labourContract,
        },
        requestMeta(c),
      );
      deps.logger.info('labour contract converted from paper', { tenantId: envelope.tenantId, envelopeId: envelope.id });
      return c.json(presentEnvelope(envelope), 201);
    },
  );
  return app;
};

const reportQuery = z.object({
  from: z
    .string()
    .max(40)
    .optional()
    .openapi({ description: 'ISO date or date-time (inclusive); default: 30 days before `to`', example: '2026-07-01' }),
  to: z.string().max(40).optional().openapi({ description: 'ISO date or date-time (exclusive); default: now', example: '2026-08-01' }),
  format: z.enum(['json', 'csv']).optional().openapi({ description: 'Default: csv if Accept asks for text/csv, else json' }),
});

const ReportSchema = z
  .object({ from: z.string(), to: z.string(), count: z.number().int(), items: z.array(LabourReportRowSchema) })
  .openapi('LabourReport');

/** GET /v1/reports/labour-contracts?from=&to=&format=csv|json (mounted under /v1/reports). */
export const labourReportRoutes = (deps: AppDeps) => {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/labour-contracts',
      tags: ['Labour contracts'],
      summary: 'Report of labour contracts (for the periodic report)',
      description:
        'Every labour contract, appendix and termination completed in [from, to) (at most 366 days), with its registration state and national identifier, oldest first. CSV is UTF-8 with a BOM (Excel shows Vietnamese correctly).',
      security: TENANT,
      request: { query: reportQuery },
      responses: {
        200: {
          description: 'The report',
          content: {
            'application/json': { schema: ReportSchema },
            'text/csv': { schema: z.string().openapi({ description: 'One header row, then one row per contract' }) },
          },
        },
        ...errors('unauthorized', 'not_found'),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const range = reportRange(query.from, query.to, deps.clock.now());
      const rows = await labourReport(labourDeps(deps).index, c.get('tenantId'), range);
      const format = query.format ?? (c.req.header('accept')?.includes('text/csv') ? 'csv' : 'json');
      if (format === 'csv') {
        return c.body(reportCsv(rows), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="labour-contracts-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.csv"`,
        });
      }
      return c.json({ ...range, count: rows.length, items: rows }, 200);
    },
  );
  return app;
};
