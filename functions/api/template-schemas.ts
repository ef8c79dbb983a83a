import { z } from '@hono/zod-openapi';
import { labourContractSchema } from './labour-schemas.js';

/** Request bodies of /v1/templates and /v1/bulk (same zod schemas validate and feed /openapi.json). */
const MAX_PT = 14400;

const fieldBase = {
  recipient: z.number().int().min(0).describe('Index into roles'),
  type: z.enum(['signature', 'text', 'date', 'checkbox']),
  width: z.number().positive().max(MAX_PT),
  height: z.number().positive().max(MAX_PT),
  required: z.boolean().optional(),
  label: z.string().max(100).optional(),
};

export const templateFieldSchema = z.union([
  z.object({
    ...fieldBase,
    page: z.number().int().min(1),
    x: z.number().min(0).max(MAX_PT),
    y: z.number().min(0).max(MAX_PT),
  }),
  z.object({
    ...fieldBase,
    anchor: z.string().trim().min(1).max(200).describe('Text of the rendered HTML the field is placed under'),
    occurrence: z.number().int().min(1).optional(),
    offsetX: z.number().min(-MAX_PT).max(MAX_PT).optional(),
    offsetY: z.number().min(-MAX_PT).max(MAX_PT).optional(),
    align: z.enum(['left', 'center']).optional(),
  }),
]);

export const templateRoleSchema = z.object({
  name: z.string().trim().min(1).max(100),
  key: z
    .string()
    .regex(/^[a-z0-9_]{1,60}$/)
    .optional()
    .describe('CSV column prefix; default: the name without diacritics, e.g. nguoi_lao_dong'),
  role: z.enum(['signer', 'approver', 'viewer', 'seal']).default('signer'),
  order: z.number().int().min(1).max(100).default(1),
  recipient: z.object({ name: z.string().trim().min(1).max(200), email: z.email().max(254).optional() }).optional(),
});

export const templateMetadataSchema = z.object({
  name: z.string().trim().min(1).max(200),
  title: z.string().trim().max(300).optional(),
  roles: z.array(templateRoleSchema).min(1).max(20),
  fields: z.array(templateFieldSchema).max(200),
  mergeFields: z.array(z.string().min(1).max(100)).max(500).optional(),
  labourContract: labourContractSchema
    .optional()
    .describe(
      'Envelopes from this template are labour contracts (Decree 337). Any text may hold merge fields ("idNumber": "{{cccd}}"), filled per envelope and per bulk row, then validated; `parties` are indexes into roles.',
    ),
});

export const createTemplateSchema = templateMetadataSchema.extend({
  html: z
    .string()
    .min(1)
    .max(256 * 1024)
    .optional(),
  pdfBase64: z
    .string()
    .max(12 * 1024 * 1024)
    .optional(),
});

export const envelopeFromTemplateSchema = z.object({
  recipients: z
    .array(
      z.object({
        role: z.string().max(100).optional(),
        name: z.string().trim().min(1).max(200),
        email: z.email().max(254).optional(),
      }),
    )
    .max(20)
    .default([]),
  values: z.record(z.string(), z.union([z.string().max(5000), z.number()])).default({}),
  send: z.boolean().default(false),
});

export const createBulkSchema = z.object({
  templateId: z.string().min(1).max(64),
  csv: z.string().min(1),
  send: z.boolean().default(true),
});
