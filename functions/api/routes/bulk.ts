import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { BULK_CHUNK_SIZE, startBulkJob } from '../../../shared/bulk/start-bulk-job.js';
import type { BulkJob } from '../../../shared/bulk/types.js';
import { AppError } from '../../../shared/errors.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonContent, pathParams, TENANT } from '../openapi.js';
import { createBulkSchema } from '../template-schemas.js';

const decodeUtf8 = (bytes: ArrayBuffer): string => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('validation_failed', 'The CSV is not UTF-8 (save it as "CSV UTF-8" in Excel).');
  }
};

/**
 * text/csv (template id and `send` in the query), multipart (`templateId`, `send`, and a
 * `csv` part) or JSON `{templateId, csv, send}`.
 */
const readBulkInput = async (req: Request, json: () => z.infer<typeof createBulkSchema>, query: (k: string) => string | undefined) => {
  const type = req.headers.get('content-type') ?? '';
  const bool = (v: string | undefined) => (v === undefined ? undefined : v === 'true' || v === '1');
  if (type.startsWith('text/csv') || type.startsWith('application/csv')) {
    const send = bool(query('send'));
    return createBulkSchema.parse({
      templateId: query('templateId'),
      csv: decodeUtf8(await req.arrayBuffer()),
      ...(send !== undefined ? { send } : {}),
    });
  }
  if (type.startsWith('multipart/form-data')) {
    const form = await req.formData().catch(() => {
      throw new AppError('bad_request', 'The multipart body cannot be parsed.');
    });
    const csv = form.get('csv');
    const send = bool((form.get('send') as string | null) ?? query('send'));
    return createBulkSchema.parse({
      templateId: form.get('templateId') ?? query('templateId'),
      csv: csv === null ? undefined : typeof csv === 'string' ? csv : decodeUtf8(await csv.arrayBuffer()),
      ...(send !== undefined ? { send } : {}),
    });
  }
  if (type.startsWith('application/json')) {
    return json();
  }
  throw new AppError('unsupported_media_type', 'Send text/csv, multipart/form-data or application/json.');
};

export const BulkJobSchema = z
  .object({
    id: z.string(),
    templateId: z.string(),
    status: z.enum(['running', 'completed']),
    total: z.number().int(),
    done: z.number().int(),
    failedCount: z.number().int(),
    createdAt: z.string(),
    ignoredColumns: z.array(z.string()),
    failed: z.array(
      z.object({
        row: z.number().int().openapi({ description: 'Data row, 1 = first row after the header' }),
        line: z.number().int().openapi({ description: 'Line of the file where the row starts' }),
        code: z.string().optional(),
        reason: z.string().optional(),
      }),
    ),
    envelopes: z
      .array(z.object({ row: z.number().int(), envelopeId: z.string().optional() }))
      .optional()
      .openapi({ description: 'Only with ?include=envelopes' }),
  })
  .openapi('BulkJob');

const presentJob = (job: BulkJob) => ({
  id: job.id,
  templateId: job.templateId,
  status: job.done + job.failed >= job.total ? ('completed' as const) : ('running' as const),
  total: job.total,
  done: job.done,
  failedCount: job.failed,
  createdAt: job.createdAt,
  ignoredColumns: [...job.ignoredColumns],
});

export const bulkRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const tags = ['Bulk send'];

  // The CSV is held to the same limit as one uploaded document (Lambda payloads are 6 MB).
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Bulk send: one envelope per CSV row, asynchronously',
      description: `A UTF-8 CSV (RFC 4180; BOM, quoted commas and line breaks, \`;\` as delimiter when the header uses it) as text/csv with \`?templateId=…&send=true|false\`, as multipart (\`templateId\`, \`send\`, \`csv\` parts) or as JSON. Header columns: each merge field by name, and \`<role key>_name\` / \`<role key>_email\` per role slot (key = the role's \`key\`, default its name without diacritics: "Người lao động" → nguoi_lao_dong); slots with a fixed recipient need no columns; other columns are ignored and listed. A missing column is a 400; a bad row (empty or invalid email, missing merge value) fails alone. The job runs on the 'bulk' queue in chunks of ${BULK_CHUNK_SIZE} rows; rows are idempotent under redelivery. \`send\` defaults to true. Held to the upload limit (KYSO_MAX_UPLOAD_BYTES).`,
      security: TENANT,
      middleware: [bodyLimit({ maxSize: deps.maxUploadBytes + 64 * 1024 })] as const,
      request: {
        query: z.object({ templateId: z.string().optional(), send: z.enum(['true', 'false', '1', '0']).optional() }),
        body: {
          required: false,
          content: {
            'application/json': { schema: createBulkSchema.openapi('CreateBulk') },
            'text/csv': { schema: { type: 'string', description: 'The CSV; templateId and send in the query' } },
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: { templateId: { type: 'string' }, send: { type: 'string' }, csv: { type: 'string', format: 'binary' } },
              },
            },
          },
        },
      },
      responses: {
        202: jsonContent(BulkJobSchema, 'Accepted (Location: /v1/bulk/{id})'),
        ...errors('unauthorized', 'template_not_found', 'payload_too_large', 'unsupported_media_type'),
      },
    }),
    async (c) => {
      const json = () => (c.req as unknown as { valid(t: 'json'): z.infer<typeof createBulkSchema> }).valid('json');
      const input = await readBulkInput(c.req.raw, json, (k) => c.req.query(k));
      const job = await startBulkJob(deps, c.get('tenantId'), input);
      deps.logger.info('bulk job started', { tenantId: job.tenantId, jobId: job.id, total: job.total });
      return c.json({ ...presentJob(job), failed: [] }, 202, { location: `/v1/bulk/${job.id}` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags,
      summary: 'Progress of a bulk send',
      security: TENANT,
      request: { params: pathParams('id'), query: z.object({ include: z.literal('envelopes').optional() }) },
      responses: { 200: jsonContent(BulkJobSchema, 'Status'), ...errors('unauthorized', 'bulk_job_not_found') },
    }),
    async (c) => {
      const tenantId = c.get('tenantId');
      const job = await deps.bulkJobs.get(tenantId, c.req.param('id'));
      if (!job) throw new AppError('bulk_job_not_found', `Bulk job ${c.req.param('id')} not found.`);
      const withEnvelopes = c.req.valid('query').include === 'envelopes';
      // A job with no failed row counted reads no rows: a poller of a 10,000-row send would otherwise read the
      // whole row partition (a filtered Query reads every row) once a second for a list that is empty.
      const rows =
        withEnvelopes || job.failed > 0 ? await deps.bulkJobs.listRows(tenantId, job.id, withEnvelopes ? {} : { status: 'failed' }) : [];
      return c.json(
        {
          ...presentJob(job),
          failed: rows
            .filter((r) => r.status === 'failed')
            .map((r) => ({ row: r.row, line: r.line, ...(r.code ? { code: r.code } : {}), ...(r.reason ? { reason: r.reason } : {}) })),
          ...(withEnvelopes
            ? {
                envelopes: rows
                  .filter((r) => r.status === 'done')
                  .map((r) => ({ row: r.row, ...(r.envelopeId ? { envelopeId: r.envelopeId } : {}) })),
              }
            : {}),
        },
        200,
      );
    },
  );

  return app;
};
