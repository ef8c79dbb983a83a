import { X509Certificate } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../shared/errors.js';
import { fromPem } from '../../../shared/pki/certificate.js';
import { findEnvelopeSummary } from '../../../shared/verify/find-envelope-summary.js';
import { renderReportPdf } from '../../../shared/verify/render-report-pdf.js';
import type { ReportLang } from '../../../shared/verify/report-text.js';
import { verifyPdf } from '../../../shared/verify/verify-pdf.js';
import { reportPage, verifyErrorPage, verifyPage } from '../../../web/verify/page.js';
import { hashApiKey, tenantAuth } from '../auth.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, TENANT } from '../openapi.js';

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Vietnamese unless ?lang=en: browsers here often send en-US while their users read Vietnamese; the page has a switch. */
const langOf = (query: string | undefined): ReportLang => (query === 'en' ? 'en' : 'vi');

/** The PDF from the body: application/pdf (or octet-stream), or a multipart "file" part. */
const readPdf = async (req: Request, maxBytes: number): Promise<Uint8Array> => {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  let bytes: Uint8Array;
  if (type === 'multipart/form-data') {
    const form = await req.formData().catch(() => {
      throw new AppError('bad_request', 'The multipart body cannot be parsed.');
    });
    const file = form.get('file') ?? form.getAll('documents')[0];
    if (!file || typeof file === 'string') throw new AppError('validation_failed', 'multipart: send the PDF as a "file" part.');
    bytes = new Uint8Array(await file.arrayBuffer());
  } else if (type === 'application/pdf' || type === 'application/octet-stream') {
    bytes = new Uint8Array(await req.arrayBuffer());
  } else {
    throw new AppError('unsupported_media_type', 'Send the PDF as application/pdf or multipart/form-data (part "file").');
  }
  if (bytes.length > maxBytes) throw new AppError('payload_too_large', `The PDF is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
  return bytes;
};

/** The verification report (shared/verify/types.ts) as a JSON Schema. */
const reportExample = {
  verdict: 'valid',
  level: 'B-LTA',
  reasons: [],
  signatures: [{ index: 1, kind: 'approval', verdict: 'valid', integrity: { ok: true }, signatureValue: { ok: true } }],
};

const verdict = { type: 'string' as const, enum: ['valid', 'invalid', 'indeterminate'] };

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

/** Platform root, deployment roots and, when the caller sends a tenant API key, that tenant's roots. */
const trustAnchors = async (deps: AppDeps, authorization: string | undefined): Promise<Uint8Array[]> => {
  const anchors = [(await deps.pki()).rootCertificate, ...(deps.trustedRoots ?? [])];
  const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (key && deps.trustLists) {
    const tenantId = (await deps.tenants.findApiKey(hashApiKey(key)))?.tenantId;
    if (!tenantId) throw new AppError('unauthorized', 'The API key is not valid (leave Authorization out to verify without an account).');
    anchors.push(...(await deps.trustLists.rootsFor(tenantId)));
  }
  return anchors;
};

/**
 * The verification service, open to anyone: POST /v1/verify (JSON, ?format=pdf, or a page
 * for Accept: text/html), GET /verify (the upload page), GET /v1/verify/documents/{sha256}
 * (public envelope summary), PUT /v1/verify/trust-roots (a tenant's extra roots).
 */
export const verifyRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const tags = ['Verification'];
  // multipart adds a little framing around the file
  const limit = bodyLimit({
    maxSize: deps.maxUploadBytes + 64 * 1024,
    onError: () => {
      throw new AppError('payload_too_large', `The PDF is larger than ${Math.round(deps.maxUploadBytes / 1024 / 1024)} MB.`);
    },
  });

  app.get('/verify', (c) => c.body(verifyPage(langOf(c.req.query('lang'))), 200, PAGE_HEADERS));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/verify',
      tags,
      summary: 'Verify the signatures of any PDF (no account needed)',
      description:
        'Body: the PDF as application/pdf, or multipart/form-data with a "file" part; at most KYSO_MAX_UPLOAD_BYTES. Trusted roots: the platform root, KYSO_TRUSTED_ROOTS, and with an optional tenant API key the tenant\'s roots (PUT /v1/verify/trust-roots). JSON by default; ?format=pdf gives a printable report (Vietnamese and English); Accept: text/html (or ?format=html) a page. ?lang=vi|en picks the page language.',
      middleware: [limit] as const,
      request: {
        query: z.object({ format: z.enum(['json', 'pdf', 'html']).optional(), lang: z.enum(['vi', 'en']).optional() }),
        body: {
          required: true,
          content: {
            'application/pdf': { schema: { type: 'string', format: 'binary' } },
            'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } },
          },
        },
      },
      responses: {
        200: {
          description: 'The verification report',
          content: {
            // A plain JSON Schema (the report's types live in shared/verify/types.ts).
            'application/json': { schema: reportSchema as { type: 'object' } },
            'application/pdf': { schema: { type: 'string', format: 'binary' } },
            'text/html': { schema: { type: 'string' } },
          },
        },
        ...errors('unauthorized', 'invalid_pdf', 'encrypted_pdf', 'empty_document', 'payload_too_large', 'unsupported_media_type'),
      },
    }),
    async (c) => {
      const lang = langOf(c.req.query('lang'));
      const format = c.req.query('format');
      const wantsHtml = format === 'html' || (!format && /text\/html/.test(c.req.header('accept') ?? ''));
      try {
        const pdf = await readPdf(c.req.raw, deps.maxUploadBytes);
        const report = await verifyPdf(pdf, {
          trustAnchors: await trustAnchors(deps, c.req.header('authorization')),
          now: deps.clock.now(),
          platformRoot: (await deps.pki()).rootCertificate,
          ...(deps.crlFetcher ? { fetchCrl: deps.crlFetcher } : {}),
        });
        const kyso = deps.documentHashes
          ? await findEnvelopeSummary(report.sha256, { hashes: deps.documentHashes, envelopes: deps.envelopes })
          : undefined;
        const full = kyso ? { ...report, kyso } : report;
        if (format === 'pdf') {
          return c.body((await renderReportPdf(full)) as Uint8Array<ArrayBuffer>, 200, {
            'content-type': 'application/pdf',
            'content-disposition': 'inline; filename="kyso-verification-report.pdf"',
            'cache-control': 'no-store',
          });
        }
        if (wantsHtml) return c.body(reportPage(lang, full), 200, PAGE_HEADERS);
        return c.json(full, 200, { 'cache-control': 'no-store' });
      } catch (e) {
        if (wantsHtml && e instanceof AppError && e.status < 500)
          return c.body(verifyErrorPage(lang, e.message), e.status as 422, PAGE_HEADERS);
        throw e;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/verify/documents/{sha256}',
      tags,
      summary: 'Public summary of the envelope a signed Kyso document belongs to, by the SHA-256 of the file',
      request: { params: z.object({ sha256: z.string().max(64).openapi({ pattern: '^[0-9a-f]{64}$' }) }) },
      responses: {
        200: jsonContent(
          z.looseObject({ envelopeId: z.string(), title: z.string(), status: z.string() }),
          '{ envelopeId, title, status, parties[{name, signedAt}], completedAt, currentRevision }',
        ),
        ...errors('not_found'),
      },
    }),
    async (c) => {
      const sha256 = c.req.param('sha256').toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AppError('validation_failed', 'Give the SHA-256 of the PDF as 64 hex digits.');
      const summary = deps.documentHashes
        ? await findEnvelopeSummary(sha256, { hashes: deps.documentHashes, envelopes: deps.envelopes })
        : undefined;
      if (!summary) throw new AppError('not_found', 'No signed Kyso document has this SHA-256.');
      return c.json(JSON.parse(JSON.stringify(summary)) as { envelopeId: string; title: string; status: string }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/verify/trust-roots',
      tags,
      summary: "Replace the tenant's extra trusted CA roots (used when POST /v1/verify is called with that tenant's API key)",
      security: TENANT,
      middleware: [tenantAuth(deps.tenants)] as const,
      request: { body: jsonBody(z.object({ certificatesPem: z.string().max(1_000_000).openapi({ description: 'PEM certificates' }) })) },
      responses: {
        200: jsonContent(z.object({ roots: z.number().int() }), 'How many roots are now trusted'),
        ...errors('unauthorized', 'not_found'),
      },
    }),
    async (c) => {
      if (!deps.trustLists) throw new AppError('not_found', 'Not found.');
      const body = c.req.valid('json');
      const roots = fromPem(body.certificatesPem);
      for (const der of roots) {
        try {
          new X509Certificate(Buffer.from(der));
        } catch {
          throw new AppError('validation_failed', 'certificatesPem holds something that is not an X.509 certificate.');
        }
      }
      await deps.trustLists.setRoots(c.get('tenantId'), roots);
      return c.json({ roots: roots.length }, 200);
    },
  );

  return app;
};
