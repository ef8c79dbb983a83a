import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { startBulkJob } from '../../../shared/bulk/start-bulk-job.js';
import type { BulkJob } from '../../../shared/bulk/types.js';
import { AppError } from '../../../shared/errors.js';
import type { AppDeps, AppEnv } from '../context.js';
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
const readBulkInput = async (req: Request, query: (k: string) => string | undefined) => {
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
    return createBulkSchema.parse(
      await req.json().catch(() => {
        throw new AppError('bad_request', 'The body is not valid JSON.');
      }),
    );
  }
  throw new AppError('unsupported_media_type', 'Send text/csv, multipart/form-data or application/json.');
};

const presentJob = (job: BulkJob) => ({
  id: job.id,
  templateId: job.templateId,
  status: job.done + job.failed >= job.total ? 'completed' : 'running',
  total: job.total,
  done: job.done,
  failedCount: job.failed,
  createdAt: job.createdAt,
  ignoredColumns: job.ignoredColumns,
});

export const bulkRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();

  // The CSV is held to the same limit as one uploaded document (Lambda payloads are 6 MB).
  app.post('/', bodyLimit({ maxSize: deps.maxUploadBytes + 64 * 1024 }), async (c) => {
    const input = await readBulkInput(c.req.raw, (k) => c.req.query(k));
    const job = await startBulkJob(deps, c.get('tenantId'), input);
    deps.logger.info('bulk job started', { tenantId: job.tenantId, jobId: job.id, total: job.total });
    return c.json({ ...presentJob(job), failed: [] }, 202, { location: `/v1/bulk/${job.id}` });
  });

  app.get('/:id', async (c) => {
    const tenantId = c.get('tenantId');
    const job = await deps.bulkJobs.get(tenantId, c.req.param('id'));
    if (!job) throw new AppError('bulk_job_not_found', `Bulk job ${c.req.param('id')} not found.`);
    const withEnvelopes = c.req.query('include') === 'envelopes';
    const rows = await deps.bulkJobs.listRows(tenantId, job.id, withEnvelopes ? {} : { status: 'failed' });
    return c.json({
      ...presentJob(job),
      failed: rows.filter((r) => r.status === 'failed').map((r) => ({ row: r.row, line: r.line, code: r.code, reason: r.reason })),
      ...(withEnvelopes
        ? { envelopes: rows.filter((r) => r.status === 'done').map((r) => ({ row: r.row, envelopeId: r.envelopeId })) }
        : {}),
    });
  });

  return app;
};
