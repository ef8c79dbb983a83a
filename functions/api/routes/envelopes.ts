import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCompletionCertificate } from '../../../shared/completion/get-completion-certificate.js';
import { resumeSeals } from '../../../shared/envelope/apply-seal.js';
import { type CreateEnvelopeInput, createEnvelope } from '../../../shared/envelope/create-envelope.js';
import { expireIfDue } from '../../../shared/envelope/end-envelope.js';
import { sendEnvelope } from '../../../shared/envelope/send-envelope.js';
import { getEnvelopeOrThrow } from '../../../shared/envelope/update-envelope.js';
import { AppError } from '../../../shared/errors.js';
import { uploadKey } from '../../../shared/uploads/ports.js';
import type { AppDeps, AppEnv } from '../context.js';
import { presentEnvelope } from '../present.js';
import { requestMeta } from '../request-meta.js';
import { createEnvelopeSchema, envelopeMetadataSchema } from '../schemas.js';

const decodeBase64 = (s: string, index: number): Uint8Array => {
  const clean = s.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) {
    throw new AppError('validation_failed', `documents[${index}].contentBase64 is not base64.`);
  }
  return new Uint8Array(Buffer.from(clean, 'base64'));
};

/** Reads either JSON (documents as base64) or multipart (a `metadata` JSON part and `documents` files). */
const readCreateInput = async (
  req: Request,
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
    const body = await req.json().catch(() => {
      throw new AppError('bad_request', 'The body is not valid JSON.');
    });
    const parsed = createEnvelopeSchema.parse(body);
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

export const envelopeRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();

  app.post('/', bodyLimit({ maxSize: Math.ceil(deps.maxUploadBytes * 1.4) * 3 }), async (c) => {
    const input = await readCreateInput(c.req.raw, deps.maxUploadBytes, async (uploadId, i) => {
      // Tenant-scoped key: another tenant's upload id simply does not exist here.
      const bytes = await deps.documents.get(uploadKey(c.get('tenantId'), uploadId)).catch((e) => {
        if (e instanceof AppError && e.code === 'not_found') {
          throw new AppError('validation_failed', `documents[${i}].uploadId: nothing was uploaded under this id (or it expired).`);
        }
        throw e;
      });
      return bytes;
    });
    const envelope = await createEnvelope(deps, c.get('tenantId'), input, requestMeta(c));
    deps.logger.info('envelope created', { tenantId: envelope.tenantId, envelopeId: envelope.id });
    return c.json(presentEnvelope(envelope), 201);
  });

  app.get('/', async (c) => {
    const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? 25) || 25));
    const cursor = c.req.query('cursor');
    const page = await deps.envelopes.list(c.get('tenantId'), { limit, ...(cursor ? { cursor } : {}) });
    const items = await Promise.all(page.items.map((e) => expireIfDue(deps, e)));
    return c.json({ items: items.map(presentEnvelope), ...(page.cursor ? { cursor: page.cursor } : {}) });
  });

  // Expiry is applied lazily on every read as well as by the scheduler's sweep; a seal that
  // could not be applied when its turn came (KMS down, no certificate yet) is retried here too.
  app.get('/:id', async (c) => {
    const stored = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
    return c.json(presentEnvelope(await resumeSeals(deps, await expireIfDue(deps, stored))));
  });

  app.post('/:id/send', async (c) => {
    const envelope = await sendEnvelope(deps, c.get('tenantId'), c.req.param('id'), requestMeta(c));
    deps.logger.info('envelope sent', { tenantId: envelope.tenantId, envelopeId: envelope.id });
    return c.json(presentEnvelope(envelope));
  });

  app.get('/:id/documents/:documentId', async (c) => {
    const envelope = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
    const doc = envelope.documents.find((d) => d.id === c.req.param('documentId'));
    if (!doc) throw new AppError('not_found', 'Document not found in this envelope.');
    const bytes = await deps.documents.get(doc.key);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(doc.name)}`,
      etag: `"${doc.sha256}"`,
    });
  });

  // For documents too large for a Lambda response: a short-lived presigned S3 URL instead of the bytes.
  app.get('/:id/documents/:documentId/url', async (c) => {
    const envelope = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
    const doc = envelope.documents.find((d) => d.id === c.req.param('documentId'));
    if (!doc) throw new AppError('not_found', 'Document not found in this envelope.');
    const ttl = 300;
    const url = await deps.presigned.presignGet(doc.key, doc.name, ttl);
    return c.json({ url, sha256: doc.sha256, expiresAt: new Date(deps.clock.now().getTime() + ttl * 1000).toISOString() });
  });

  app.get('/:id/certificate', async (c) => {
    const pdf = await getCompletionCertificate(deps, c.get('tenantId'), c.req.param('id'));
    return c.body(pdf as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="kyso-certificate-${c.req.param('id')}.pdf"`,
    });
  });

  app.get('/:id/audit', async (c) => {
    const envelope = await getEnvelopeOrThrow(deps, c.get('tenantId'), c.req.param('id'));
    return c.json({ events: await deps.audit.list(envelope.tenantId, envelope.id) });
  });

  return app;
};
