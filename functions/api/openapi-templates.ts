import { z } from 'zod';
import { BULK_CHUNK_SIZE } from '../../shared/bulk/start-bulk-job.js';
import { createBulkSchema, createTemplateSchema, envelopeFromTemplateSchema, templateMetadataSchema } from './template-schemas.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: object) => ({ 'application/json': { schema: s } });
const errors = {
  '4XX': { description: 'Client error', content: json({ $ref: '#/components/schemas/Error' }) },
};
const security = [{ apiKey: [] }];
const path = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

const bulkStatus = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    templateId: { type: 'string' },
    status: { type: 'string', enum: ['running', 'completed'] },
    total: { type: 'integer' },
    done: { type: 'integer' },
    failedCount: { type: 'integer' },
    ignoredColumns: { type: 'array', items: { type: 'string' } },
    failed: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          row: { type: 'integer', description: 'Data row, 1 = first row after the header' },
          line: { type: 'integer', description: 'Line of the file where the row starts' },
          code: { type: 'string' },
          reason: { type: 'string' },
        },
      },
    },
    envelopes: {
      type: 'array',
      description: 'Only with ?include=envelopes',
      items: { type: 'object', properties: { row: { type: 'integer' }, envelopeId: { type: 'string' } } },
    },
  },
};

/** /v1/templates and /v1/bulk in the OpenAPI document (functions/api/openapi.ts spreads these into `paths`). */
export const templatePaths = {
  '/v1/templates': {
    post: {
      summary: 'Create a template (HTML rendered to PDF per envelope, or a PDF)',
      description:
        'JSON with `html` or `pdfBase64`, or multipart/form-data with a `metadata` JSON part and a `document` file part (PDF, or HTML by type/extension). Merge fields are `{{name}}` in the title and the HTML; with `mergeFields` given, any other `{{x}}` is refused (unknown_merge_field). Fields sit at `page`/`x`/`y` (points from the top-left) or, in HTML templates, under an `anchor` text of the rendered document (`offsetY` below its line, centred on it unless `align: "left"`, `occurrence` for the n-th match). `recipient` is an index into `roles`. The template is rendered once at creation with each merge field’s name as its value, so a missing anchor or a field off the page is reported now (anchor_not_found, field_off_page).',
      security,
      requestBody: {
        required: true,
        content: {
          ...json(schema(createTemplateSchema)),
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: {
                metadata: { ...schema(templateMetadataSchema), description: 'as JSON' },
                document: { type: 'string', format: 'binary' },
              },
            },
          },
        },
      },
      responses: { 201: { description: 'The template (without its HTML source)' }, ...errors },
    },
    get: {
      summary: 'List templates',
      security,
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer' } },
        { name: 'cursor', in: 'query', schema: { type: 'string' } },
      ],
      responses: { 200: { description: '{ items, cursor? }' }, ...errors },
    },
  },
  '/v1/templates/{id}': {
    get: {
      summary: 'Get a template (with its HTML source)',
      security,
      parameters: [path('id')],
      responses: { 200: { description: 'Template' }, ...errors },
    },
    delete: { summary: 'Delete a template', security, parameters: [path('id')], responses: { 204: { description: 'Deleted' }, ...errors } },
  },
  '/v1/templates/{id}/envelopes': {
    post: {
      summary: 'Create (and with send: true, send) one envelope from a template',
      description:
        'Recipients fill the role slots by `role` (slot name or key) or by position; slots with a fixed recipient may be left out. Every merge field needs a non-blank value: otherwise 400 missing_merge_values with `details.missing` listing all of them. Values are text (HTML-escaped before rendering).',
      security,
      parameters: [path('id')],
      requestBody: { required: true, content: json(schema(envelopeFromTemplateSchema)) },
      responses: { 201: { description: 'Envelope', content: json({ $ref: '#/components/schemas/Envelope' }) }, ...errors },
    },
  },
  '/v1/bulk': {
    post: {
      summary: 'Bulk send: one envelope per CSV row, asynchronously',
      description: `A UTF-8 CSV (RFC 4180; BOM, quoted commas and line breaks, \`;\` as delimiter when the header uses it) as text/csv with \`?templateId=…&send=true|false\`, as multipart (\`templateId\`, \`send\`, \`csv\` parts) or as JSON. Header columns: each merge field by name, and \`<role key>_name\` / \`<role key>_email\` per role slot (key = the role's \`key\`, default its name without diacritics: "Người lao động" → nguoi_lao_dong); slots with a fixed recipient need no columns; other columns are ignored and listed. A missing column is a 400; a bad row (empty or invalid email, missing merge value) fails alone. The job runs on the 'bulk' queue in chunks of ${BULK_CHUNK_SIZE} rows; rows are idempotent under redelivery. \`send\` defaults to true. Held to the upload limit (KYSO_MAX_UPLOAD_BYTES).`,
      security,
      requestBody: {
        required: true,
        content: {
          'text/csv': { schema: { type: 'string' } },
          ...json(schema(createBulkSchema)),
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: { templateId: { type: 'string' }, send: { type: 'string' }, csv: { type: 'string', format: 'binary' } },
            },
          },
        },
      },
      parameters: [
        { name: 'templateId', in: 'query', schema: { type: 'string' } },
        { name: 'send', in: 'query', schema: { type: 'boolean' } },
      ],
      responses: { 202: { description: 'Accepted (Location: /v1/bulk/{id})', content: json(bulkStatus) }, ...errors },
    },
  },
  '/v1/bulk/{id}': {
    get: {
      summary: 'Progress of a bulk send',
      security,
      parameters: [path('id'), { name: 'include', in: 'query', schema: { type: 'string', enum: ['envelopes'] } }],
      responses: { 200: { description: 'Status', content: json(bulkStatus) }, ...errors },
    },
  },
};
