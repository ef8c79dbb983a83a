import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { getCompletionCertificate } from '../../../shared/completion/get-completion-certificate.js';
import { resumeSeals } from '../../../shared/envelope/apply-seal.js';
import { type CreateEnvelopeInput, createEnvelope } from '../../../shared/envelope/create-envelope.js';
import { expireIfDue } from '../../../shared/envelope/end-envelope.js';
import { sendEnvelope } from '../../../shared/envelope/send-envelope.js';
import { getEnvelopeOrThrow } from '../../../shared/envelope/update-envelope.js';
import { AppError } from '../../../shared/errors.js';
import { uploadKey } from '../../../shared/uploads/ports.js';
import type { AppDeps } from '../context.js';
import { binaryContent, createRouter, errors, jsonContent, pageQuery, pathParams, TENANT } from '../openapi.js';
import { EnvelopeSchema, presentEnvelope } from '../present.js';
import { requestMeta } from '../request-meta.js';
import { createEnvelopeSchema, envelopeMetadataSchema } from '../schemas.js';

export const decodeBase64 = (s: string, index: number): Uint8Array => {
  const clean = s.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) {
    throw new AppError('validation_failed', `documents[${index}].contentBase64 is not base64.`);
  }
  return new Uint8Array(Buffer.from(clean, 'base64'));
};

/** Reads either JSON (documents as base64) or multipart (a `metadata` JSON part and `documents` files). */
const readCreateInput = async (
  req: Request,
  json: () => z.infer<typeof createEnvelopeSchema>,
  maxBytes: number,
  fetchUpload: (uploadId: string, index: number) => Promise<Uint8Array>,
): Promise<CreateEnvelopeInput> => {
  const type = req.headers.get('content-type') ?? '';
  let input: CreateEnvelopeInput;
  const fromUpload = new Set<number>();
  if (type.startsWith('multipart/form-data')) {
    const form = await req.formData().catch(() => {
      throw new AppError('bad_request', 'The multipart body cannot be parsed.');
    });
    const rawMeta = form.get('metadata');
    if (typeof rawMeta !== 'string') throw new AppError('validation_failed', 'multipart: a "metadata" part with JSON is required.');
    let parsedMeta: unknown;
    try {
      parsedMeta = JSON.parse(rawMeta);
    } catch {
      throw new AppError('validation_failed', 'multipart: "metadata" is not valid JSON.');
    }
    const meta = envelopeMetadataSchema.parse(parsedMeta);
    const files = form.getAll('documents').filter((f): f is File => typeof f !== 'string');
    if (files.length === 0) throw new AppError('validation_failed', 'multipart: at least one "documents" file is required.');
    input = {
      ...meta,
      documents: await Promise.all(
        files.map(async (f) => ({ name: f.name || 'document.pdf', content: new Uint8Array(await f.arrayBuffer()) })),
      ),
    };
  } else if (type.startsWith('application/json')) {
    const parsed = json();
    input = {
      ...parsed,
      documents: await Promise.all(
        parsed.documents.map(async (d, i) => {
          if (!('uploadId' in d)) return { name: d.name, content: decodeBase64(d.contentBase64, i) };
          fromUpload.add(i);
          return { name: d.name, content: await fetchUpload(d.uploadId, i) };
        }),
      ),
    };
  } else {
    throw new AppError('unsupported_media_type', 'Send application/json or multipart/form-data.');
  }
  // The body limit applies to documents sent inline; presigned uploads have their own limit.
  input.documents.forEach((d, i) => {
    if (d.content.length > maxBytes && !fromUpload.has(i)) {
      throw new AppError('payload_too_large', `documents[${i}] is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
    }
  });
  return input;
};

const ENVELOPE_ERRORS = ['unauthorized', 'envelope_not_found'] as const;
const envelopeId = pathParams('id');
const documentPath = pathParams('id', 'documentId');

export const createEnvelopeRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['Envelopes'],
  summary: 'Create an envelope (draft)',
  description:
    'JSON with documents as base64 (or `uploadId`s from POST /v1/uploads), or multipart/form-data with a `metadata` JSON part (EnvelopeMetadata: title, recipients, fields) and one `documents` file part per PDF. Field coordinates are PDF points from the top-left corner of the page; `page` is 1-based; indexes refer to the arrays of the same request.',
  security: TENANT,
  request: {
    body: {
      required: false,
      content: {
        'application/json': { schema: createEnvelopeSchema.openapi('CreateEnvelope') },
        'multipart/form-data': {
          // A plain schema (not zod): the handler reads the parts itself and checks `metadata` with envelopeMetadataSchema.
          schema: {
            type: 'object',
            required: ['metadata', 'documents'],
            properties: {
              metadata: { type: 'string', description: 'EnvelopeMetadata (CreateEnvelope without documents) as JSON' },
              documents: { type: 'array', items: { type: 'string', format: 'binary' } },
            },
          },
        },
      },
    },
  },
  responses: {
    201: jsonContent(EnvelopeSchema, 'Created'),
    ...errors(
      'unauthorized',
      'bad_request',
      'invalid_pdf',
      'encrypted_pdf',
      'empty_document',
      'unknown_recipient',
      'unknown_document',
      'field_off_page',
      'missing_signature_field',
      'unexpected_field',
      'seal_not_provisioned',
      'payload_too_large',
      'unsupported_media_type',
      'invalid_labour_contract',
      'labour_contract_not_found',
      'labour_contract_not_registered',
      'labour_contract_terminated',
    ),
  },
});

export const envelopeRoutes = (deps: AppDeps) => {
  const app = createRouter();

  app.openapi(
    { ...createEnvelopeRoute, middleware: [bodyLimit({ maxSize: Math.ceil(deps.maxUploadBytes * 1.4) * 3 })] as const },
    async (c) => {
      const input = await readCreateInput(
        c.req.raw,
        // Validated by the route's JSON schema (the multipart schema is documentation only, so the typing cannot see it).
        () => (c.req as unknown as { valid(t: 'json'): z.infer<typeof createEnvelopeSchema> }).valid('json'),
        deps.maxUploadBytes,
        async (uploadId, i) => {
          // Tenant-scoped key: another tenant's upload id simply does not exist here.
          const bytes = await deps.documents.get(uploadKey(c.get('tenantId'), uploadId)).catch((e) => {
            if (e instanceof AppError && e.code === 'not_found') {
              throw new AppError('validation_failed', `documents[${i}].uploadId: nothing was uploaded under this id (or it expired).`);
            }
            throw e;
          });
          return bytes;
        },
      );
      const envelope = await createEnvelope(deps, c.get('tenantId'), input, requestMeta(c));
      deps.logger.info('envelope created', { tenantId: envelope.tenantId, envelopeId: envelope.id });
      return c.json(presentEnvelope(envelope), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Envelopes'],
      summary: 'List envelopes, newest first',
      security: TENANT,
      request: { query: pageQuery },
      responses: {
        200: jsonContent(z.object({ items: z.array(EnvelopeSchema), cursor: z.string().optional() }), 'A page of envelopes'),
        ...errors('unauthorized'),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await deps.envelopes.list(c.get('tenantId'), { limit: q.limit ?? 25, ...(q.cursor ? { cursor: q.cursor } : {}) });
      const items = await Promise.all(page.items.map((e) => expireIfDue(deps, e)));
      return c.json({ items: items.map(presentEnvelope), ...(page.cursor ? { cursor: page.cursor } : {}) }, 200);
    },
  );

  // Expiry is applied lazily on every read as well as by the scheduler's sweep; a seal that
  // could not be applied when its turn came (KMS down, no certificate yet) is retried here too.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['Envelopes'],
      summary: 'Get an envelope',
      security: TENANT,
      request: { params: envelopeId },
      responses: { 200: jsonContent(EnvelopeSchema, 'The envelope'), ...errors(...ENVELOPE_ERRORS) },
    }),
    async (c) => {
      const stored = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
      return c.json(presentEnvelope(await resumeSeals(deps, await expireIfDue(deps, stored))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/send',
      tags: ['Envelopes'],
      summary: 'Send: certify the documents and email the first recipient(s) in routing order',
      security: TENANT,
      request: { params: envelopeId },
      responses: {
        200: jsonContent(EnvelopeSchema, 'Sent'),
        ...errors(...ENVELOPE_ERRORS, 'invalid_state', 'seal_not_provisioned', 'idempotency_in_progress', 'idempotency_key_reused'),
      },
    }),
    async (c) => {
      const envelope = await sendEnvelope(deps, c.get('tenantId'), c.req.param('id'), requestMeta(c));
      deps.logger.info('envelope sent', { tenantId: envelope.tenantId, envelopeId: envelope.id });
      return c.json(presentEnvelope(envelope), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/documents/{documentId}',
      tags: ['Envelopes'],
      summary: 'The current revision of a document (PDF)',
      security: TENANT,
      request: { params: documentPath },
      responses: { 200: binaryContent('application/pdf', 'The PDF'), ...errors(...ENVELOPE_ERRORS, 'not_found') },
    }),
    async (c) => {
      const envelope = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
      const doc = envelope.documents.find((d) => d.id === c.req.param('documentId'));
      if (!doc) throw new AppError('not_found', 'Document not found in this envelope.');
      const bytes = await deps.documents.get(doc.key);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(doc.name)}`,
        etag: `"${doc.sha256}"`,
      });
    },
  );

  // For documents too large for a Lambda response: a short-lived presigned S3 URL instead of the bytes.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/documents/{documentId}/url',
      tags: ['Envelopes'],
      summary: 'A presigned download URL (5 minutes) for the current revision, for files too large for a response body',
      security: TENANT,
      request: { params: documentPath },
      responses: {
        200: jsonContent(z.object({ url: z.string(), sha256: z.string(), expiresAt: z.string() }), 'The URL'),
        ...errors(...ENVELOPE_ERRORS, 'not_found'),
      },
    }),
    async (c) => {
      const envelope = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
      const doc = envelope.documents.find((d) => d.id === c.req.param('documentId'));
      if (!doc) throw new AppError('not_found', 'Document not found in this envelope.');
      const ttl = 300;
      const url = await deps.presigned.presignGet(doc.key, doc.name, ttl);
      return c.json({ url, sha256: doc.sha256, expiresAt: new Date(deps.clock.now().getTime() + ttl * 1000).toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/certificate',
      tags: ['Envelopes'],
      summary: 'Certificate of completion (sealed PDF, PAdES B-LTA), once the envelope is finished',
      security: TENANT,
      request: { params: envelopeId },
      responses: { 200: binaryContent('application/pdf', 'The certificate'), ...errors(...ENVELOPE_ERRORS, 'invalid_state') },
    }),
    async (c) => {
      const pdf = await getCompletionCertificate(deps, c.get('tenantId'), c.req.param('id'));
      return c.body(pdf as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="kyso-certificate-${c.req.param('id')}.pdf"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/audit',
      tags: ['Envelopes'],
      summary: 'Audit trail (hash-chained events, in order)',
      security: TENANT,
      request: { params: envelopeId },
      responses: {
        200: jsonContent(
          z.object({
            events: z.array(
              z.looseObject({ seq: z.number().int(), at: z.string(), action: z.string(), hash: z.string(), prevHash: z.string() }),
            ),
          }),
          'The events',
        ),
        ...errors(...ENVELOPE_ERRORS),
      },
    }),
    async (c) => {
      const envelope = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
      return c.json({ events: await deps.audit.list(envelope.tenantId, envelope.id) }, 200);
    },
  );

  return app;
};
