import { z } from '@hono/zod-openapi';
import { labourContractSchema } from './labour-schemas.js';

/** Request bodies of the public API. The same schemas validate requests and feed /openapi.json. */
const MAX_PT = 14400; // PDF user-space limit

export const recipientSchema = z.object({
  name: z.string().trim().min(1).max(200),
  /** An email or a phone is required except for a seal (applied by the platform, nobody is notified). */
  email: z.email().max(254).optional(),
  /** Vietnamese mobile number in any usual form (0912 345 678, +84912345678, 84912345678); stored as E.164. Else 400 invalid_phone. */
  phone: z.string().max(32).optional(),
  /** Where invitations, reminders and codes go; default: email if given, else sms. Zalo falls back to SMS. */
  channels: z
    .array(z.enum(['email', 'sms', 'zalo']))
    .min(1)
    .max(3)
    .optional(),
  /** Proof of identity before signing: an eKYC check of the citizen ID card + selfie, or VNeID through OpenID Connect. */
  identity: z
    .object({ required: z.boolean(), idNumber: z.string().max(20).optional() })
    .strict()
    .optional(),
  /** "digital": this signer must sign with a licensed CA's certificate (USB token, remote signing); default "electronic". */
  signatureLevel: z.enum(['electronic', 'digital']).optional(),
  role: z.enum(['signer', 'approver', 'viewer', 'seal'], { error: 'role must be one of signer, approver, viewer, seal' }).default('signer'),
  order: z.number().int().min(1).max(100).default(1),
  /**
   * "embedded": you show the signer page in your own site (POST /v1/envelopes/{id}/recipients/{rid}/embedded-link);
   * Kyso sends this recipient no email or SMS, and neither is required. Signers and approvers only. Default "message".
   */
  delivery: z
    .enum(['message', 'embedded'])
    .optional()
    .openapi({ description: '"embedded": signs in your page through an embedded link; no email/SMS is sent or needed' }),
  /** Ask the signer for more than the link: a one-time code by email, or an access code you share out of band. */
  auth: z
    .object({
      otp: z.boolean().optional(),
      /** Where codes go: default email if the recipient has one, else sms. */
      otpChannel: z.enum(['email', 'sms', 'zalo']).optional(),
      accessCode: z.string().trim().min(4).max(64).optional(),
    })
    .strict()
    .optional(),
});

/** Envelope options of the workflow: expiry, where sender notices go, reminders (false = none). */
export const envelopeOptionsSchema = {
  /** The signer page's, messages' and stamps' language (the signer can still switch the page). Default vi. */
  language: z.enum(['vi', 'en']).optional().openapi({ description: 'Signer page, messages and stamps: vi (default) or en' }),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  senderEmail: z.email().max(254).optional(),
  reminders: z
    .union([
      z.literal(false),
      z.object({
        delayHours: z
          .number()
          .min(0)
          .max(24 * 90),
        intervalHours: z
          .number()
          .min(1)
          .max(24 * 90),
        max: z.number().int().min(0).max(20),
      }),
    ])
    .optional(),
  /** Retention class once completed (issue 17): labourContract, serviceContract or other (default). */
  contractKind: z.enum(['labourContract', 'serviceContract', 'other']).optional(),
  /** When the contract ends, if known: classes counting from the contract's end start there. */
  contractEndsAt: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
};

export const fieldSchema = z.object({
  recipient: z.number().int().min(0),
  document: z.number().int().min(0).default(0),
  type: z.enum(['signature', 'initials', 'text', 'date', 'checkbox']),
  page: z.number().int().min(1),
  x: z.number().min(0).max(MAX_PT),
  y: z.number().min(0).max(MAX_PT),
  width: z.number().positive().max(MAX_PT),
  height: z.number().positive().max(MAX_PT),
  required: z.boolean().optional(),
  label: z.string().max(100).optional(),
});

export const envelopeMetadataSchema = z.object({
  title: z.string().trim().min(1).max(300),
  recipients: z.array(recipientSchema).min(1).max(50),
  fields: z.array(fieldSchema).max(500),
  ...envelopeOptionsSchema,
  labourContract: labourContractSchema.optional(),
});

export const createEnvelopeSchema = envelopeMetadataSchema.extend({
  documents: z
    .array(
      z.union([
        z.object({
          name: z.string().trim().min(1).max(200),
          contentBase64: z.string().max(12 * 1024 * 1024),
        }),
        // A PDF uploaded first through POST /v1/uploads (for files too large for a request body).
        z.object({
          name: z.string().trim().min(1).max(200),
          uploadId: z.string().regex(/^[A-Za-z0-9_-]{16,40}$/),
        }),
      ]),
    )
    .min(1)
    .max(10),
});

export const signRequestSchema = z.object({
  fields: z.record(z.string(), z.union([z.string().max(1000), z.boolean()])).default({}),
  signature: z.discriminatedUnion('type', [
    z.object({ type: z.literal('typed'), value: z.string().trim().min(1).max(120) }),
    // A finger drawing; `value` is the typed name for the certificate and the signature dictionary.
    z.object({
      type: z.literal('drawn'),
      value: z.string().trim().min(1).max(120),
      image: z.string().startsWith('data:image/png;base64,').max(280_000),
    }),
  ]),
});

export const createTenantSchema = z.object({ name: z.string().trim().min(1).max(200) });
