import { z } from 'zod';
import { ERROR_STATUS } from '../../shared/errors.js';
import { ownCertificatePaths } from './openapi-own-certificate.js';
import { phoneIdentityPaths } from './openapi-phone-identity.js';
import { templatePaths } from './openapi-templates.js';
import { verifyPaths } from './openapi-verify.js';
import { webhookPaths } from './openapi-webhooks.js';
import { workflowPaths } from './openapi-workflow.js';
import { createEnvelopeSchema, createTenantSchema, envelopeMetadataSchema, signRequestSchema } from './schemas.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: object) => ({ 'application/json': { schema: s } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errors = { '4XX': { description: 'Client error', content: json(ref('Error')) } };
const pdf = { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } };
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

/** The API contract, built from the same zod schemas the handlers validate with. */
export const openApiDocument = (serverUrl: string) => ({
  openapi: '3.1.0',
  info: {
    title: 'Kyso API',
    version: '1.0.0',
    description:
      'E-contract signing with PAdES signatures whose keys live in AWS KMS. Tenants authenticate with `Authorization: Bearer <api key>`; signers hold only a link token. Errors are `{"error":{"code","message"}}`; codes: ' +
      Object.entries(ERROR_STATUS)
        .map(([code, status]) => `${code} (${status})`)
        .join(', '),
  },
  servers: [{ url: serverUrl }],
  components: {
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, adminKey: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string', enum: Object.keys(ERROR_STATUS) }, message: { type: 'string' } },
          },
        },
      },
      CreateEnvelope: schema(createEnvelopeSchema),
      EnvelopeMetadata: schema(envelopeMetadataSchema),
      SignRequest: schema(signRequestSchema),
      CreateTenant: schema(createTenantSchema),
      Envelope: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'string', enum: ['draft', 'sent', 'completed', 'declined', 'voided', 'expired'] },
          recipients: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                name: { type: 'string' },
                email: { type: 'string' },
                role: { type: 'string', enum: ['signer', 'approver', 'viewer', 'seal'] },
                order: { type: 'integer' },
                status: { type: 'string', enum: ['pending', 'notified', 'viewed', 'signed', 'approved', 'declined'] },
                auth: { type: 'object', description: '{ otp: true } or { accessCode: true } (the code itself is never returned)' },
              },
            },
          },
          documents: {
            type: 'array',
            items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, sha256: { type: 'string' } } },
          },
          fields: { type: 'array', items: { type: 'object' } },
        },
      },
    },
  },
  paths: {
    '/health': { get: { summary: 'Liveness', responses: { 200: { description: 'OK' } } } },
    '/v1/envelopes': {
      post: {
        summary: 'Create an envelope (draft)',
        description:
          'JSON with documents as base64, or multipart/form-data with a `metadata` JSON part (title, recipients, fields) and one `documents` file part per PDF. Field coordinates are PDF points from the top-left corner of the page; `page` is 1-based; indexes refer to the arrays of the same request.',
        security: [{ apiKey: [] }],
        requestBody: {
          required: true,
          content: {
            ...json(ref('CreateEnvelope')),
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: {
                  metadata: { type: 'string', description: 'EnvelopeMetadata as JSON' },
                  documents: { type: 'array', items: { type: 'string', format: 'binary' } },
                },
              },
            },
          },
        },
        responses: { 201: { description: 'Created', content: json(ref('Envelope')) }, ...errors },
      },
      get: {
        summary: 'List envelopes',
        security: [{ apiKey: [] }],
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'A page of envelopes' }, ...errors },
      },
    },
    '/v1/envelopes/{id}': {
      get: {
        summary: 'Get an envelope',
        security: [{ apiKey: [] }],
        parameters: [idParam('id')],
        responses: { 200: { description: 'Envelope', content: json(ref('Envelope')) }, ...errors },
      },
    },
    '/v1/envelopes/{id}/send': {
      post: {
        summary: 'Send: email the first signer(s)',
        security: [{ apiKey: [] }],
        parameters: [idParam('id')],
        responses: { 200: { description: 'Sent', content: json(ref('Envelope')) }, ...errors },
      },
    },
    '/v1/envelopes/{id}/documents/{documentId}': {
      get: {
        summary: 'Current revision of a document',
        security: [{ apiKey: [] }],
        parameters: [idParam('id'), idParam('documentId')],
        responses: { 200: pdf, ...errors },
      },
    },
    '/v1/uploads': {
      post: {
        summary: 'A presigned S3 PUT URL for one large PDF; then create the envelope with documents: [{ name, uploadId }]',
        security: [{ apiKey: [] }],
        requestBody: { required: true, content: json({ type: 'object', required: ['size'], properties: { size: { type: 'integer' } } }) },
        responses: { 201: { description: '{ uploadId, method: PUT, url, headers, expiresAt }' }, ...errors },
      },
    },
    '/v1/envelopes/{id}/documents/{documentId}/url': {
      get: {
        summary: 'A presigned download URL (5 minutes) for the current revision, for files too large for a response body',
        security: [{ apiKey: [] }],
        parameters: [idParam('id'), idParam('documentId')],
        responses: { 200: { description: '{ url, sha256, expiresAt }' }, ...errors },
      },
    },
    '/v1/settings': {
      get: { summary: 'Tenant settings', security: [{ apiKey: [] }], responses: { 200: { description: '{ tsaUrls }' }, ...errors } },
      put: {
        summary: 'Set the tenant’s RFC 3161 TSAs (tried in order before the platform TSA)',
        security: [{ apiKey: [] }],
        requestBody: {
          required: true,
          content: json({ type: 'object', properties: { tsaUrls: { type: 'array', items: { type: 'string', format: 'uri' } } } }),
        },
        responses: { 200: { description: '{ tsaUrls }' }, ...errors },
      },
    },
    '/v1/envelopes/{id}/remind': {
      post: {
        summary: 'Remind now: a fresh link to every signer/approver whose turn it is (at most once an hour each)',
        security: [{ apiKey: [] }],
        parameters: [idParam('id')],
        responses: { 200: { description: '{ reminded, envelope }' }, ...errors },
      },
    },
    '/v1/sign/{token}/certificate': {
      get: {
        summary: 'The certificate of completion, for a party of a finished envelope',
        parameters: [idParam('token')],
        responses: { 200: pdf, ...errors },
      },
    },
    '/v1/envelopes/{id}/certificate': {
      get: {
        summary: 'Certificate of completion (sealed PDF, PAdES B-LTA), once the envelope is finished',
        security: [{ apiKey: [] }],
        parameters: [idParam('id')],
        responses: { 200: pdf, ...errors },
      },
    },
    '/v1/envelopes/{id}/audit': {
      get: {
        summary: 'Audit trail (hash-chained events, in order)',
        security: [{ apiKey: [] }],
        parameters: [idParam('id')],
        responses: { 200: { description: '{ events: [...] }' }, ...errors },
      },
    },
    '/v1/sign/{token}': {
      get: {
        summary: 'What the signer is asked to sign',
        parameters: [idParam('token')],
        responses: { 200: { description: 'Envelope, recipient, documents and the signer’s fields' }, ...errors },
      },
      post: {
        summary: 'Sign',
        description:
          'Signs with a one-time key pair and certificate made for this signing (ADR 0011): an electronic signature. A recipient with signatureLevel "digital" must sign with a licensed CA certificate instead (USB token: /prepare + /complete; remote signing: /remote): 403 digital_signature_required. With KYSO_TSA_REQUIRED=external, 503 timestamp_unavailable when no external TSA answers (nothing stored).',
        parameters: [idParam('token')],
        requestBody: { required: true, content: json(ref('SignRequest')) },
        responses: { 200: { description: 'Signed' }, ...errors },
      },
    },
    '/v1/sign/{token}/documents/{documentId}': {
      get: {
        summary: 'The PDF, for the signer',
        parameters: [idParam('token'), idParam('documentId')],
        responses: { 200: pdf, ...errors },
      },
    },
    '/s/{token}': {
      get: { summary: 'Signer web page (HTML)', parameters: [idParam('token')], responses: { 200: { description: 'HTML' } } },
    },
    '/pki/root.pem': { get: { summary: 'Platform root certificate (PEM)', responses: { 200: { description: 'PEM' } } } },
    '/admin/tenants': {
      post: {
        summary: 'Create a tenant and its first API key',
        security: [{ adminKey: [] }],
        requestBody: { content: json(ref('CreateTenant')) },
        responses: { 201: { description: '{ tenant, apiKey }' }, ...errors },
      },
    },
    ...webhookPaths,
    ...verifyPaths,
    ...workflowPaths,
    ...ownCertificatePaths,
    ...templatePaths,
    ...phoneIdentityPaths,
    '/dev/mail': {
      get: {
        summary: 'Local mode only: emails sent so far',
        responses: { 200: { description: '{ messages: [{ to, subject, text, html }] }' } },
      },
    },
    '/dev/outbox': {
      get: {
        summary: 'Local mode only: effects still owed by committed state changes (the outbox)',
        responses: { 200: { description: '{ owed, items: [{ id, kind, attempts, createdAt, lastError }] }' } },
      },
    },
  },
});
