import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../shared/errors.js';
import { createEnvelopeFromTemplate, getTemplateOrThrow } from '../../../shared/templates/create-from-template.js';
import { type CreateTemplateInput, createTemplate } from '../../../shared/templates/create-template.js';
import type { Template } from '../../../shared/templates/types.js';
import type { AppDeps, AppEnv } from '../context.js';
import { presentEnvelope } from '../present.js';
import { requestMeta } from '../request-meta.js';
import { createTemplateSchema, envelopeFromTemplateSchema, templateMetadataSchema } from '../template-schemas.js';

const parseJson = (raw: string, what: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('validation_failed', `${what} is not valid JSON.`);
  }
};

/** JSON (`html` or `pdfBase64`) or multipart (`metadata` JSON part + one `document` part: a PDF or an HTML file). */
const readTemplateInput = async (req: Request, maxBytes: number): Promise<CreateTemplateInput> => {
  const type = req.headers.get('content-type') ?? '';
  let input: CreateTemplateInput;
  if (type.startsWith('multipart/form-data')) {
    const form = await req.formData().catch(() => {
      throw new AppError('bad_request', 'The multipart body cannot be parsed.');
    });
    const rawMeta = form.get('metadata');
    if (typeof rawMeta !== 'string') throw new AppError('validation_failed', 'multipart: a "metadata" part with JSON is required.');
    const meta = templateMetadataSchema.parse(parseJson(rawMeta, 'multipart: "metadata"'));
    const doc = form.get('document');
    if (!doc || typeof doc === 'string')
      throw new AppError('validation_failed', 'multipart: a "document" file part (PDF or HTML) is required.');
    const bytes = new Uint8Array(await doc.arrayBuffer());
    const isHtml = doc.type.startsWith('text/html') || /\.html?$/i.test(doc.name);
    input = { ...meta, ...(isHtml ? { html: new TextDecoder().decode(bytes) } : { pdf: bytes }) };
  } else if (type.startsWith('application/json')) {
    const body = createTemplateSchema.parse(
      await req.json().catch(() => {
        throw new AppError('bad_request', 'The body is not valid JSON.');
      }),
    );
    const { pdfBase64, html, ...meta } = body;
    let pdf: Uint8Array | undefined;
    if (pdfBase64 !== undefined) {
      const clean = pdfBase64.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new AppError('validation_failed', 'pdfBase64 is not base64.');
      pdf = new Uint8Array(Buffer.from(clean, 'base64'));
    }
    input = { ...meta, ...(html !== undefined ? { html } : {}), ...(pdf ? { pdf } : {}) };
  } else {
    throw new AppError('unsupported_media_type', 'Send application/json or multipart/form-data.');
  }
  if ((input.pdf?.length ?? 0) > maxBytes)
    throw new AppError('payload_too_large', `The PDF is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
  return input;
};

/** The public shape of a template (the HTML source only on GET of one template). */
export const presentTemplate = (t: Template, withSource = false) => ({
  id: t.id,
  name: t.name,
  title: t.title,
  type: t.source.type,
  ...(t.source.type === 'pdf' ? { pageCount: t.source.pageCount, sha256: t.source.sha256 } : {}),
  ...(withSource && t.source.type === 'html' ? { html: t.source.html } : {}),
  roles: t.roles,
  fields: t.fields,
  mergeFields: t.mergeFields,
  createdAt: t.createdAt,
});

export const templateRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();

  app.post('/', bodyLimit({ maxSize: Math.ceil(deps.maxUploadBytes * 1.4) + 512 * 1024 }), async (c) => {
    const template = await createTemplate(deps, c.get('tenantId'), await readTemplateInput(c.req.raw, deps.maxUploadBytes));
    deps.logger.info('template created', { tenantId: template.tenantId, templateId: template.id });
    return c.json(presentTemplate(template), 201);
  });

  app.get('/', async (c) => {
    const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? 25) || 25));
    const cursor = c.req.query('cursor');
    const page = await deps.templates.list(c.get('tenantId'), { limit, ...(cursor ? { cursor } : {}) });
    return c.json({ items: page.items.map((t) => presentTemplate(t)), ...(page.cursor ? { cursor: page.cursor } : {}) });
  });

  app.get('/:id', async (c) => c.json(presentTemplate(await getTemplateOrThrow(deps, c.get('tenantId'), c.req.param('id')), true)));

  app.delete('/:id', async (c) => {
    if (!(await deps.templates.delete(c.get('tenantId'), c.req.param('id')))) {
      throw new AppError('template_not_found', `Template ${c.req.param('id')} not found.`);
    }
    return c.body(null, 204);
  });

  app.post('/:id/envelopes', async (c) => {
    const template = await getTemplateOrThrow(deps, c.get('tenantId'), c.req.param('id'));
    const body = envelopeFromTemplateSchema.parse(
      await c.req.json().catch(() => {
        throw new AppError('bad_request', 'The body is not valid JSON.');
      }),
    );
    const envelope = await createEnvelopeFromTemplate(deps, template, body, requestMeta(c));
    deps.logger.info('envelope created from template', { tenantId: envelope.tenantId, envelopeId: envelope.id, templateId: template.id });
    return c.json(presentEnvelope(envelope), 201);
  });

  return app;
};
