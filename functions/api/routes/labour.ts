import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../shared/errors.js';
import { convertPaperContract } from '../../../shared/labour/convert-paper-contract.js';
import { labourReport, reportCsv, reportRange } from '../../../shared/labour/report.js';
import { retryRegistration } from '../../../shared/labour/retry-registration.js';
import type { AppDeps, AppEnv } from '../context.js';
import { jsonBody } from '../json-body.js';
import { conversionSchema } from '../labour-schemas.js';
import { presentEnvelope } from '../present.js';
import { requestMeta } from '../request-meta.js';
import { decodeBase64 } from './envelopes.js';

const labourDeps = (deps: AppDeps) => {
  if (!deps.labour) throw new AppError('not_found', 'Labour contracts are not enabled in this deployment.');
  return deps.labour;
};

/** POST /v1/envelopes/{id}/labour-registration/retry (mounted under /v1/envelopes). */
export const labourRegistrationRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.post('/:id/labour-registration/retry', async (c) => {
    const envelope = await retryRegistration(deps, c.get('tenantId'), c.req.param('id'), { type: 'tenant', id: c.get('tenantId') });
    return c.json(presentEnvelope(envelope), 202);
  });
  return app;
};

/** POST /v1/labour-contracts/conversions (mounted under /v1/labour-contracts). */
export const labourConversionRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.post('/conversions', bodyLimit({ maxSize: Math.ceil(deps.maxUploadBytes * 1.4) + 64 * 1024 }), async (c) => {
    const body = conversionSchema.parse(await jsonBody(c.req.raw));
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
  });
  return app;
};

/** GET /v1/reports/labour-contracts?from=&to=&format=csv|json (mounted under /v1/reports). */
export const labourReportRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.get('/labour-contracts', async (c) => {
    const range = reportRange(c.req.query('from'), c.req.query('to'), deps.clock.now());
    const rows = await labourReport(labourDeps(deps).index, c.get('tenantId'), range);
    const format = c.req.query('format') ?? (c.req.header('accept')?.includes('text/csv') ? 'csv' : 'json');
    if (format === 'csv') {
      return c.body(reportCsv(rows), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="labour-contracts-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.csv"`,
      });
    }
    if (format !== 'json') throw new AppError('validation_failed', 'format must be csv or json.');
    return c.json({ ...range, count: rows.length, items: rows });
  });
  return app;
};
