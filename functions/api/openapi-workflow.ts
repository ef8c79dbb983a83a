import { z } from 'zod';
import { changeRecipientSchema, voidSchema } from './routes/envelope-workflow.js';
import { provisionSealSchema } from './routes/seal.js';
import { declineSchema, verifyCodeSchema } from './routes/sign-workflow.js';

/** OpenAPI paths of the envelope workflow (issue 4): roles, decline/void/expiry, links, signer verification, seal, audit verify. */
const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: object) => ({ 'application/json': { schema: s } });
const errors = { '4XX': { description: 'Client error', content: json({ $ref: '#/components/schemas/Error' }) } };
const envelope = { description: 'The envelope', content: json({ $ref: '#/components/schemas/Envelope' }) };
const p = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const tenant = [{ apiKey: [] }];

const deadLinks =
  'Dead links answer 4xx: token_invalid (404; replaced by a resend or an email change), token_expired (410), envelope_voided / envelope_declined / envelope_expired (410). When the sender asked for it (recipient `auth`), signing, approving, declining and downloading answer 401 verification_required until POST /v1/sign/{token}/verify succeeds for this very link.';

export const workflowPaths = {
  '/v1/envelopes/{id}/void': {
    post: {
      summary: 'Void an envelope (draft or sent) with a reason: every link dies at once; recipients who had a link are emailed',
      security: tenant,
      parameters: [p('id')],
      requestBody: { required: true, content: json(schema(voidSchema)) },
      responses: { 200: envelope, ...errors },
    },
  },
  '/v1/envelopes/{id}/recipients/{recipientId}': {
    patch: {
      summary:
        'Change a recipient’s email and/or name before they act; their old link dies, the new address gets a link if it is their turn',
      security: tenant,
      parameters: [p('id'), p('recipientId')],
      requestBody: { required: true, content: json(schema(changeRecipientSchema)) },
      responses: { 200: envelope, ...errors },
    },
  },
  '/v1/envelopes/{id}/recipients/{recipientId}/resend': {
    post: {
      summary: 'Email a new link to a recipient whose turn it is; every earlier link of theirs dies',
      security: tenant,
      parameters: [p('id'), p('recipientId')],
      responses: { 200: envelope, ...errors },
    },
  },
  '/v1/envelopes/{id}/audit/verify': {
    get: {
      summary: 'Recompute the audit hash chain and check the KMS signature over its head (made at completion)',
      security: tenant,
      parameters: [p('id')],
      responses: {
        200: {
          description: 'The verdict; `ok` is false when any event was changed, removed or reordered, or the head signature fails',
          content: json({
            type: 'object',
            properties: {
              envelopeId: { type: 'string' },
              status: { type: 'string' },
              ok: { type: 'boolean' },
              events: { type: 'integer' },
              chain: { type: 'object', properties: { ok: { type: 'boolean' }, brokenAt: { type: 'integer' } } },
              headSignatures: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    seq: { type: 'integer' },
                    hash: { type: 'string' },
                    keyId: { type: 'string' },
                    algorithm: { type: 'string' },
                    matchesEvent: { type: 'boolean' },
                    signatureValid: { type: 'boolean' },
                    platformKey: { type: 'boolean' },
                  },
                },
              },
              problems: { type: 'array', items: { type: 'string' } },
            },
          }),
        },
        ...errors,
      },
    },
  },
  '/v1/seal': {
    post: {
      summary:
        'Provision the tenant’s organisation seal: a KMS key (alias <prefix>/tenant/<tenantId>/seal) and, locally, its certificate from the platform CA',
      description:
        'Idempotent: the same key is kept (201 the first time, 200 after). Subject of the certificate: the organisation name and `MST:<taxCode>` (serialNumber). Needed before an envelope can have a `seal` recipient.',
      security: tenant,
      requestBody: { required: true, content: json(schema(provisionSealSchema)) },
      responses: {
        201: {
          description: 'The seal',
          content: json({
            type: 'object',
            properties: {
              keyId: { type: 'string' },
              keySpec: { type: 'string', enum: ['ECC_NIST_P256', 'RSA_2048', 'RSA_3072'] },
              organization: { type: 'string' },
              taxCode: { type: 'string' },
              status: { type: 'string', enum: ['active', 'awaiting_certificate'] },
              certificatePem: { type: 'string' },
              notAfter: { type: 'string', format: 'date-time' },
              createdAt: { type: 'string', format: 'date-time' },
            },
          }),
        },
        ...errors,
      },
    },
    get: { summary: 'The tenant’s seal (404 if none)', security: tenant, responses: { 200: { description: 'The seal' }, ...errors } },
  },
  '/v1/sign/{token}/otp': {
    post: {
      summary: 'Email a 6-digit one-time code (10 minutes; at most 3 per 10 minutes: 429 rate_limited)',
      description: deadLinks,
      parameters: [p('token')],
      responses: { 202: { description: '{ sent: true, expiresAt }' }, ...errors },
    },
  },
  '/v1/sign/{token}/verify': {
    post: {
      summary: 'Check the one-time code or the access code; verifies this link for 30 minutes',
      description:
        'Wrong code: 401 code_invalid with details.attemptsLeft; the 5th wrong code locks verification for 30 minutes (423 code_locked, the pending code dies). GET /v1/sign/{token} reports `verification: { method: none | otp | access-code, verified }`.',
      parameters: [p('token')],
      requestBody: { required: true, content: json(schema(verifyCodeSchema)) },
      responses: { 200: { description: '{ verified: true, verifiedUntil, method }' }, ...errors },
    },
  },
  '/v1/sign/{token}/approve': {
    post: {
      summary: 'Approve (role approver; no signature): routing moves on',
      description: deadLinks,
      parameters: [p('token')],
      responses: { 200: { description: 'As GET /v1/sign/{token}' }, ...errors },
    },
  },
  '/v1/sign/{token}/decline': {
    post: {
      summary: 'Decline with a reason (signer or approver): the envelope ends; the sender and everyone who had acted are emailed',
      description: deadLinks,
      parameters: [p('token')],
      requestBody: { required: true, content: json(schema(declineSchema)) },
      responses: { 200: { description: '{ envelope: { id, status: "declined" }, recipient: { id, status: "declined" } }' }, ...errors },
    },
  },
  '/dev/scheduler/{task}': {
    post: {
      summary: 'Local mode only: run a scheduler sweep now (task reminders or expiry); ?now=<ISO> runs it as if at that instant',
      parameters: [p('task'), { name: 'now', in: 'query', schema: { type: 'string', format: 'date-time' } }],
      responses: { 200: { description: '{ task, processed, acted, failed }' } },
    },
  },
};
