import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../shared/errors.js';
import { createEnvelopeFromTemplate, getTemplateOrThrow } from '../../../shared/templates/create-from-template.js';
import { type CreateTemplateInput, createTemplate } from '../../../shared/templates/create-template.js';
import type { Template } from '../../../shared/templates/types.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, pageQuery, pathParams, TENANT } from '../openapi.js';
import { EnvelopeSchema, presentEnvelope } from '../present.js';
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
const readTemplateInput = async (
  req: Request,
  json: () => z.infer<typeof createTemplateSchema>,
  maxBytes: number,
): Promise<CreateTemplateInput> => {
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
    const body = json();
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
export const TemplateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    title: z.string(),
    type: z.enum(['html', 'pdf']),
    pageCount: z.number().int().optional(),
    sha256: z.string().optional(),
    html: z.string().optional().openapi({ description: 'The HTML source (GET of one template only)' }),
    roles: z.array(
      z.object({
        name: z.string(),
        key: z.string(),
        role: EnvelopeSchema.shape.recipients.element.shape.role,
        order: z.number().int(),
        recipient: z.object({ name: z.string(), email: z.string().optional() }).optional(),
      }),
    ),
    fields: z.array(z.record(z.string(), z.unknown())).openapi({ description: 'As given at creation (page/x/y or anchor)' }),
    mergeFields: z.array(z.string()),
    labourContract: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'As given at creation: the labour contract of every envelope, merge fields filled per envelope' }),
    createdAt: z.string(),
  })
  .openapi('Template');

export const presentTemplate = (t: Template, withSource = false): z.infer<typeof TemplateSchema> => ({
  id: t.id,
  name: t.name,
  title: t.title,
  type: t.source.type,
  ...(t.source.type === 'pdf' ? { pageCount: t.source.pageCount, sha256: t.source.sha256 } : {}),
  ...(withSource && t.source.type === 'html' ? { html: t.source.html } : {}),
  roles: [...t.roles],
  fields: t.fields.map((f) => ({ ...f })),
  mergeFields: [...t.mergeFields],
  ...(t.labourContract ? { labourContract: { ...t.labourContract } } : {}),
  createdAt: t.createdAt,
});

const tags = ['Templates'];
const templateId = pathParams('id');

export const templateRoutes = (deps: AppDeps) => {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Create a template (HTML rendered to PDF per envelope, or a PDF)',
      description:
        'JSON with `html` or `pdfBase64`, or multipart/form-data with a `metadata` JSON part and a `document` file part (PDF, or HTML by type/extension). Merge fields are `{{name}}` in the title and the HTML; with `mergeFields` given, any other `{{x}}` is refused (unknown_merge_field). Fields sit at `page`/`x`/`y` (points from the top-left) or, in HTML templates, under an `anchor` text of the rendered document (`offsetY` below its line, centred on it unless `align: "left"`, `occurrence` for the n-th match). `recipient` is an index into `roles`. The template is rendered once at creation with each merge field’s name as its value, so a missing anchor or a field off the page is reported now (anchor_not_found, field_off_page).',
      security: TENANT,
      middleware: [bodyLimit({ maxSize: Math.ceil(deps.maxUploadBytes * 1.4) + 512 * 1024 })] as const,
      request: {
        body: {
          required: false,
          content: {
            'application/json': { schema: createTemplateSchema.openapi('CreateTemplate') },
            // Plain schema: the handler reads the parts and checks `metadata` with templateMetadataSchema.
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['metadata', 'document'],
                properties: {
                  metadata: { type: 'string', description: 'CreateTemplate without html/pdfBase64, as JSON' },
                  document: { type: 'string', format: 'binary', description: 'A PDF, or HTML (by type or .html extension)' },
                },
              },
            },
          },
        },
      },
      responses: {
        201: jsonContent(TemplateSchema, 'The template (without its HTML source)'),
        ...errors(
          'unauthorized',
          'bad_request',
          'invalid_pdf',
          'field_off_page',
          'unknown_merge_field',
          'invalid_labour_contract',
          'control_characters',
          'payload_too_large',
          'unsupported_media_type',
        ),
      },
    }),
    async (c) => {
      const json = () => (c.req as unknown as { valid(t: 'json'): z.infer<typeof createTemplateSchema> }).valid('json');
      const template = await createTemplate(deps, c.get('tenantId'), await readTemplateInput(c.req.raw, json, deps.maxUploadBytes));
      deps.logger.info('template created', { tenantId: template.tenantId, templateId: template.id });
      return c.json(presentTemplate(template), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: 'List templates',
      security: TENANT,
      request: { query: pageQuery },
      responses: {
        200: jsonContent(z.object({ items: z.array(TemplateSchema), cursor: z.string().optional() }), 'A page of templates'),
        ...errors('unauthorized'),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await deps.templates.list(c.get('tenantId'), { limit: q.limit ?? 25, ...(q.cursor ? { cursor: q.cursor } : {}) });
      return c.json({ items: page.items.map((t) => presentTemplate(t)), ...(page.cursor ? { cursor: page.cursor } : {}) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags,
      summary: 'Get a template (with its HTML source)',
      security: TENANT,
      request: { params: templateId },
      responses: { 200: jsonContent(TemplateSchema, 'The template'), ...errors('unauthorized', 'template_not_found') },
    }),
    async (c) => c.json(presentTemplate(await getTemplateOrThrow(deps, c.get('tenantId'), c.req.param('id')), true), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags,
      summary: 'Delete a template',
      security: TENANT,
      request: { params: templateId },
      responses: { 204: { description: 'Deleted' }, ...errors('unauthorized', 'template_not_found') },
    }),
    async (c) => {
      if (!(await deps.templates.delete(c.get('tenantId'), c.req.param('id')))) {
        throw new AppError('template_not_found', `Template ${c.req.param('id')} not found.`);
      }
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/envelopes',
      tags,
      summary: 'Create (and with send: true, send) one envelope from a template',
      description:
        'Recipients fill the role slots by `role` (slot name or key) or by position; slots with a fixed recipient may be left out. Every merge field needs a non-blank value: otherwise 400 missing_merge_values with `details.missing` listing all of them. Values are text (HTML-escaped before rendering).',
      security: TENANT,
      request: { params: templateId, body: jsonBody(envelopeFromTemplateSchema) },
      responses: {
        201: jsonContent(EnvelopeSchema, 'The envelope'),
        ...errors(
          'unauthorized',
          'template_not_found',
          'missing_merge_values',
          'seal_not_provisioned',
          'invalid_labour_contract',
          'labour_contract_not_found',
          'labour_contract_not_registered',
          'labour_contract_terminated',
        ),
      },
    }),
    async (c) => {
      const template = await getTemplateOrThrow(deps, c.get('tenantId'), c.req.param('id'));
      const body = c.req.valid('json');
      const envelope = await createEnvelopeFromTemplate(deps, template, body, requestMeta(c));
      deps.logger.info('envelope created from template', { tenantId: envelope.tenantId, envelopeId: envelope.id, templateId: template.id });
      return c.json(presentEnvelope(envelope), 201);
    },
  );

  return app;
};
