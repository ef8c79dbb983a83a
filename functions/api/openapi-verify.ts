/** OpenAPI paths of the verification service (functions/api/routes/verify.ts). */
const reportExample = {
  verdict: 'valid',
  level: 'B-LTA',
  reasons: [],
  signatures: [{ index: 1, kind: 'approval', verdict: 'valid', integrity: { ok: true }, signatureValue: { ok: true } }],
};

const verdict = { type: 'string', enum: ['valid', 'invalid', 'indeterminate'] };

const reportSchema = {
  type: 'object',
  description:
    'Verdict overall and per signature. invalid = a check failed (reasons: integrity_failed, signature_value_invalid, modified_after_signing, certificate_revoked, timestamp_invalid, byte_range_malformed); indeterminate = nothing failed but trust is not established (certificate_not_trusted, certificate_expired_or_not_yet_valid, no_revocation_info, no_signatures).',
  properties: {
    sha256: { type: 'string' },
    size: { type: 'integer' },
    pages: { type: 'integer' },
    revisions: { type: 'integer' },
    checkedAt: { type: 'string', format: 'date-time' },
    verdict,
    reasons: { type: 'array', items: { type: 'string' } },
    level: { type: 'string', enum: ['B-B', 'B-T', 'B-LT', 'B-LTA'], description: 'Lowest PAdES level of the approval signatures' },
    activeContent: {
      type: 'array',
      items: { type: 'string', enum: ['javascript', 'open-action', 'additional-actions', 'launch-action', 'embedded-files', 'xfa'] },
      description:
        'Present when the file carries active content (Kyso refuses it in uploads, so only files it did not produce): what a viewer shows may differ from what was signed.',
    },
    signatures: {
      type: 'array',
      items: {
        type: 'object',
        description:
          'kind approval | certification | document-timestamp; certificate (subject, issuer, serialNumber, notBefore, notAfter); integrity (message digest or timestamp imprint over the ByteRange); signatureValue; coverage (revisionEnd, coversRevision, coversWholeFile); modifications (allowed, disallowed: changes after this revision); certificatePath (trusted, chain); revocation (status good|revoked|unknown from CRLs and OCSP responses in the DSS or the CMS, incl. the Adobe revocation archival attribute; no online fetch); timestamp (time, valid, trusted, tsa); level; verdict; reasons.',
        properties: { verdict, kind: { type: 'string', enum: ['approval', 'certification', 'document-timestamp'] } },
      },
    },
    kyso: {
      type: 'object',
      description: 'Present when the file is a signed revision Kyso produced: public summary only (no emails).',
      properties: {
        envelopeId: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'string' },
        parties: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, signedAt: { type: 'string' } } } },
        completedAt: { type: 'string' },
        currentRevision: { type: 'boolean' },
      },
    },
  },
  example: reportExample,
};

const errors = {
  '4XX': {
    description:
      'Client error: invalid_pdf / encrypted_pdf / empty_document (422/400), payload_too_large (413), unsupported_media_type (415)',
  },
};

export const verifyPaths = {
  '/v1/verify': {
    post: {
      summary: 'Verify the signatures of any PDF (no account needed)',
      description:
        'Body: the PDF as application/pdf, or multipart/form-data with a "file" part; at most KYSO_MAX_UPLOAD_BYTES. Trusted roots: the platform root, KYSO_TRUSTED_ROOTS, and with an optional tenant API key the tenant\'s roots (PUT /v1/verify/trust-roots). JSON by default; ?format=pdf gives a printable report (Vietnamese and English); Accept: text/html (or ?format=html) a page. ?lang=vi|en picks the page language.',
      parameters: [
        { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'pdf', 'html'] } },
        { name: 'lang', in: 'query', required: false, schema: { type: 'string', enum: ['vi', 'en'] } },
      ],
      requestBody: {
        content: {
          'application/pdf': { schema: { type: 'string', format: 'binary' } },
          'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } },
        },
      },
      responses: {
        200: {
          description: 'The verification report',
          content: {
            'application/json': { schema: reportSchema },
            'application/pdf': { schema: { type: 'string', format: 'binary' } },
            'text/html': { schema: { type: 'string' } },
          },
        },
        ...errors,
      },
    },
  },
  '/v1/verify/documents/{sha256}': {
    get: {
      summary: 'Public summary of the envelope a signed Kyso document belongs to, by the SHA-256 of the file',
      parameters: [{ name: 'sha256', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } }],
      responses: {
        200: { description: '{ envelopeId, title, status, parties[{name, signedAt}], completedAt, currentRevision }' },
        404: { description: 'not_found' },
      },
    },
  },
  '/v1/verify/trust-roots': {
    put: {
      summary: "Replace the tenant's extra trusted CA roots (used when POST /v1/verify is called with that tenant's API key)",
      security: [{ apiKey: [] }],
      requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { certificatesPem: { type: 'string' } } } } } },
      responses: { 200: { description: '{ roots: <count> }' }, ...errors },
    },
  },
  '/verify': {
    get: { summary: 'Verification web page (upload a PDF; Vietnamese, ?lang=en for English)', responses: { 200: { description: 'HTML' } } },
  },
};
