import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { EXPORT_DOWNLOAD_SECONDS, EXPORT_KEEP_DAYS, presentExportJob } from '../../../shared/data-subjects/export-job.js';
import { effectiveExportLimits } from '../../../shared/data-subjects/export-size.js';
import { accessSubject, eraseSubject, exportSubject } from '../../../shared/data-subjects/handle-request.js';
import { parseSubject } from '../../../shared/data-subjects/subject.js';
import type { Requester } from '../../../shared/data-subjects/types.js';
import { AppError } from '../../../shared/errors.js';
import { hashApiKey } from '../auth.js';
import type { AppDeps } from '../context.js';
import { IDEMPOTENCY_HEADER } from '../idempotency.js';
import { createRouter, errors, jsonBody, jsonContent, pageQuery, pathParams, TENANT } from '../openapi.js';
import { requestMeta } from '../request-meta.js';

const subjectFields = {
  email: z.string().max(320).optional().openapi({ example: 'nguyen.van.an@example.vn' }),
  phone: z
    .string()
    .max(40)
    .optional()
    .openapi({ example: '0912 345 678', description: 'A Vietnamese mobile, any usual form (stored as E.164)' }),
  idNumber: z.string().max(40).optional().openapi({ example: '079099001234', description: 'Citizen ID (CCCD), 12 digits' }),
};
const subjectQuery = z.object(subjectFields);
export const dataSubjectBody = z
  .object(subjectFields)
  .strict()
  .openapi('DataSubject', { description: 'Exactly one of email, phone, idNumber' });
const limit = z.number().int().min(0).max(1_000_000);
const exportBody = z
  .object({
    ...subjectFields,
    syncLimits: z.object({ envelopes: limit.optional(), documents: limit.optional() }).strict().optional().openapi({
      description:
        'Lower the limits above which this export becomes a job (202), e.g. {"documents": 0} to always get the archive; never above the deployment’s (KYSO_EXPORT_SYNC_MAX_*)',
    }),
  })
  .strict()
  .openapi('DataSubjectExportRequest', { description: 'Exactly one of email, phone, idNumber; optionally syncLimits' });

const RequestSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['access', 'export', 'erase']),
    receivedAt: z.string(),
    requestedBy: z.object({ type: z.enum(['api-key', 'console-user']), id: z.string() }),
    subject: z.object({
      kind: z.enum(['email', 'phone', 'idNumber']),
      commitment: z.string().openapi({ description: 'HMAC-SHA-256 of the identifier under the tenant’s key: never the identifier itself' }),
    }),
    acknowledgementDue: z
      .string()
      .openapi({ description: 'End of the 2nd working day (Mon–Fri, Vietnam time) after receipt; public holidays not counted' }),
    acknowledgedAt: z.string(),
    acknowledgedInTime: z.boolean(),
    outcome: z.object({ envelopes: z.number().int(), erased: z.number().int(), kept: z.number().int() }),
    export: z
      .object({ jobId: z.string(), status: z.enum(['pending', 'ready', 'failed']) })
      .optional()
      .openapi({ description: 'A large export answered by a job: GET /v1/data-subjects/exports/{jobId}' }),
  })
  .openapi('DataSubjectRequest');

const ExportJobSchema = z
  .object({
    id: z.string(),
    status: z
      .enum(['pending', 'ready', 'failed', 'expired'])
      .openapi({ description: `expired: the archive was deleted ${EXPORT_KEEP_DAYS} days after it was ready (personal data)` }),
    requestId: z.string(),
    requestedAt: z.string(),
    requestedBy: z.object({ type: z.enum(['api-key', 'console-user']), id: z.string() }),
    size: z.object({ envelopes: z.number().int(), documents: z.number().int() }),
    readyAt: z.string().optional(),
    expiresAt: z.string().optional().openapi({ description: 'When the archive is deleted' }),
    bytes: z.number().int().optional(),
    sha256: z.string().optional().openapi({ description: 'SHA-256 of the ZIP' }),
    download: z
      .object({ url: z.string(), expiresAt: z.string() })
      .optional()
      .openapi({
        description: `When ready: a presigned link to the ZIP (export.json in the synchronous format, documents under documents/<envelope>/<document>.pdf), valid ${EXPORT_DOWNLOAD_SECONDS} s; ask again for a new one`,
      }),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi('DataSubjectExportJob');

const record = z.record(z.string(), z.unknown());
const SubjectEnvelopeSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    status: z.string(),
    createdAt: z.string(),
    sentAt: z.string().optional(),
    completedAt: z.string().optional(),
    retainUntil: z.string().optional(),
    retentionKind: z.string().optional(),
    legalHold: z.boolean(),
    erasedAt: z.string().optional(),
    recipients: z.array(record).openapi({ description: 'Their recipient records, with identity evidence (never the images)' }),
    fieldValues: z.array(z.object({ id: z.string(), type: z.string(), label: z.string().optional(), value: z.string() })),
    labourContractEmployee: record.optional(),
    auditEvents: z.array(record).openapi({ description: 'Audit events about them, as stored (hash-chained)' }),
    identityImages: z
      .array(z.string())
      .openapi({ description: 'Store keys of their identity images (kept encrypted; never returned by the API)' }),
    documents: z
      .array(z.object({ id: z.string(), name: z.string(), sha256: z.string(), url: z.string(), expiresAt: z.string() }))
      .optional()
      .openapi({
        description:
          'Export only: presigned links to the documents they signed (1 hour). In an asynchronous export’s export.json each has `path` (its file in the ZIP) instead of url and expiresAt',
      }),
  })
  .openapi('DataSubjectEnvelope');

const KeptSchema = z.object({
  code: z.enum(['retention', 'legal_hold', 'in_progress', 'audit_v1']),
  message: z.object({ vi: z.string(), en: z.string() }),
  law: z.string().optional(),
  until: z.string().optional(),
});
const ErasureSchema = z
  .object({
    envelopeId: z.string(),
    title: z.string(),
    status: z.string(),
    action: z.enum(['erased', 'kept']),
    erased: z.object({
      recipients: z.number().int(),
      auditEvents: z.number().int(),
      identityImages: z.number().int(),
      documents: z.number().int(),
    }),
    kept: z.array(KeptSchema),
  })
  .openapi('DataSubjectErasure');

const ERRORS = ['unauthorized', 'invalid_subject', 'invalid_phone', 'invalid_id_number'] as const;

/** Who asked: the console user behind a session, else the API key (by its hash's first 16 characters). */
const requester = (c: Context): Requester => {
  const session = (c.get as (k: string) => { userId: string } | undefined)('session');
  if (session) return { type: 'console-user', id: session.userId };
  const key = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
  return { type: 'api-key', id: hashApiKey(key).slice(0, 16) };
};

/** Personal-data requests (issue 17): /v1/data-subjects (API key) and /app/api/data-subjects (console session). */
export const dataSubjectRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const stores = () => {
    if (!deps.dataSubjects || !deps.archive || !deps.dataSubjectExports)
      throw new AppError('invalid_state', 'This deployment does not answer personal-data requests.');
    return { ...deps, dataSubjects: deps.dataSubjects, archive: deps.archive, exports: deps.dataSubjectExports };
  };
  const asked = (c: Context, input: z.infer<typeof subjectQuery>) => ({
    subject: parseSubject(input),
    requestedBy: requester(c),
    meta: requestMeta(c),
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Personal data'],
      summary:
        'Everything held about a person: envelopes, recipient records, audit events, identity evidence (recorded as an access request)',
      security: TENANT,
      request: { query: subjectQuery },
      responses: {
        200: jsonContent(
          z.object({ request: RequestSchema, envelopes: z.array(SubjectEnvelopeSchema) }),
          'What the tenant holds about the person',
        ),
        ...errors(...ERRORS),
      },
    }),
    async (c) => {
      const r = await accessSubject(stores(), c.get('tenantId'), asked(c, c.req.valid('query')));
      deps.logger.info('data-subject request', { tenantId: c.get('tenantId'), requestId: r.request.id, kind: 'access' });
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/export',
      tags: ['Personal data'],
      summary: 'Machine-readable export about a person with the documents they signed: at once when small, else a job (202)',
      description: `The export's size (envelopes about the person, documents they signed) is judged first, from the envelope records alone. At or below the limits (KYSO_EXPORT_SYNC_MAX_ENVELOPES / _DOCUMENTS; a request may lower them with syncLimits) the answer is the export, with a presigned link per document. Above them the answer is 202 with a job (Location: /v1/data-subjects/exports/{id}); the job writes one ZIP, kept ${EXPORT_KEEP_DAYS} days. The request is recorded (and acknowledged) either way. With an Idempotency-Key, the same key always names the same job.`,
      security: TENANT,
      request: { body: jsonBody(exportBody) },
      responses: {
        200: jsonContent(
          z.object({
            format: z.literal('kyso-data-subject-export/v1'),
            generatedAt: z.string(),
            subject: z.object({ kind: z.enum(['email', 'phone', 'idNumber']), value: z.string() }),
            request: RequestSchema,
            envelopes: z.array(SubjectEnvelopeSchema),
          }),
          'The export',
        ),
        202: jsonContent(ExportJobSchema, 'A large export: the job (Location: /v1/data-subjects/exports/{id}); poll it until ready'),
        ...errors(...ERRORS),
      },
    }),
    async (c) => {
      const { syncLimits, ...subject } = c.req.valid('json');
      const s = stores();
      const idempotencyKey = c.req.header(IDEMPOTENCY_HEADER);
      const r = await exportSubject({ ...s, presigned: deps.presigned }, c.get('tenantId'), {
        ...asked(c, subject),
        limits: effectiveExportLimits(s.exports.syncMax, syncLimits),
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
      if (r.job) {
        deps.logger.info('data-subject request', { tenantId: c.get('tenantId'), requestId: r.job.id, kind: 'export', async: true });
        const body = await presentExportJob({ clock: deps.clock, presigned: deps.presigned }, r.job);
        return c.json(body, 202, { location: c.req.path.replace(/\/export$/, `/exports/${r.job.id}`) });
      }
      deps.logger.info('data-subject request', { tenantId: c.get('tenantId'), requestId: r.export.request.id, kind: 'export' });
      return c.json(r.export, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/exports/{jobId}',
      tags: ['Personal data'],
      summary: 'Where an asynchronous export stands; when ready, a short-lived link to its ZIP',
      security: TENANT,
      request: { params: pathParams('jobId') },
      responses: {
        200: jsonContent(ExportJobSchema, 'The job'),
        ...errors('unauthorized', 'data_subject_request_not_found'),
      },
    }),
    async (c) => {
      // Tenant-scoped key: another tenant's job id is not found.
      const job = await stores().dataSubjects.getExportJob(c.get('tenantId'), c.req.valid('param').jobId);
      if (!job) throw new AppError('data_subject_request_not_found', 'No such export.');
      return c.json(await presentExportJob({ clock: deps.clock, presigned: deps.presigned }, job), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/erase',
      tags: ['Personal data'],
      summary: 'Erase what is not under retention or legal hold; the answer says what was kept and why',
      description:
        'Identity images are deleted unless a legal hold applies. Envelopes never completed (draft, declined, voided, expired) lose the person: audit personal data (hashes kept, the chain still verifies), documents and recipient records. Completed envelopes (retention class), envelopes under legal hold and envelopes still out for signing are kept, each with its reasons. Idempotent: a retry finds the same envelopes and answers the same.',
      security: TENANT,
      request: { body: jsonBody(dataSubjectBody) },
      responses: {
        200: jsonContent(
          z.object({ request: RequestSchema, envelopes: z.array(ErasureSchema) }),
          'What was erased and what was kept, per envelope',
        ),
        ...errors(...ERRORS),
      },
    }),
    async (c) => {
      const r = await eraseSubject(stores(), c.get('tenantId'), asked(c, c.req.valid('json')));
      deps.logger.info('data-subject request', {
        tenantId: c.get('tenantId'),
        requestId: r.request.id,
        kind: 'erase',
        ...r.request.outcome,
      });
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/requests',
      tags: ['Personal data'],
      summary: 'The personal-data requests received, newest first, with the acknowledgement deadline and whether it was met',
      security: TENANT,
      request: { query: pageQuery },
      responses: {
        200: jsonContent(z.object({ items: z.array(RequestSchema), cursor: z.string().optional() }), 'One page of requests'),
        ...errors('unauthorized'),
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const page = await stores().dataSubjects.listRequests(c.get('tenantId'), { limit: limit ?? 25, ...(cursor ? { cursor } : {}) });
      return c.json(page, 200);
    },
  );
  return app;
};
