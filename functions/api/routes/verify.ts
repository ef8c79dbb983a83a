import { X509Certificate } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../shared/errors.js';
import { fromPem } from '../../../shared/pki/certificate.js';
import { findEnvelopeSummary } from '../../../shared/verify/find-envelope-summary.js';
import { renderReportPdf } from '../../../shared/verify/render-report-pdf.js';
import type { ReportLang } from '../../../shared/verify/report-text.js';
import { verifyPdf } from '../../../shared/verify/verify-pdf.js';
import { reportPage, verifyErrorPage, verifyPage } from '../../../web/verify/page.js';
import { hashApiKey, tenantAuth } from '../auth.js';
import type { AppDeps, AppEnv } from '../context.js';

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
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

/** Platform root, deployment roots and, when the caller sends a tenant API key, that tenant's roots. */
const trustAnchors = async (deps: AppDeps, authorization: string | undefined): Promise<Uint8Array[]> => {
  const anchors = [(await deps.pki()).rootCertificate, ...(deps.trustedRoots ?? [])];
  const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (key && deps.trustLists) {
    const tenantId = await deps.tenants.findTenantByApiKey(hashApiKey(key));
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
  const app = new Hono<AppEnv>();
  // multipart adds a little framing around the file
  const limit = bodyLimit({
    maxSize: deps.maxUploadBytes + 64 * 1024,
    onError: () => {
      throw new AppError('payload_too_large', `The PDF is larger than ${Math.round(deps.maxUploadBytes / 1024 / 1024)} MB.`);
    },
  });

  app.get('/verify', (c) => c.body(verifyPage(langOf(c.req.query('lang'))), 200, PAGE_HEADERS));

  app.post('/v1/verify', limit, async (c) => {
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
  });

  app.get('/v1/verify/documents/:sha256', async (c) => {
    const sha256 = c.req.param('sha256').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AppError('validation_failed', 'Give the SHA-256 of the PDF as 64 hex digits.');
    const summary = deps.documentHashes
      ? await findEnvelopeSummary(sha256, { hashes: deps.documentHashes, envelopes: deps.envelopes })
      : undefined;
    if (!summary) throw new AppError('not_found', 'No signed Kyso document has this SHA-256.');
    return c.json(summary);
  });

  app.put('/v1/verify/trust-roots', tenantAuth(deps.tenants), async (c) => {
    if (!deps.trustLists) throw new AppError('not_found', 'Not found.');
    const body = (await c.req.json().catch(() => undefined)) as { certificatesPem?: unknown } | undefined;
    if (typeof body?.certificatesPem !== 'string')
      throw new AppError('validation_failed', 'Send {"certificatesPem": "<PEM certificates>"}.');
    const roots = fromPem(body.certificatesPem);
    for (const der of roots) {
      try {
        new X509Certificate(Buffer.from(der));
      } catch {
        throw new AppError('validation_failed', 'certificatesPem holds something that is not an X.509 certificate.');
      }
    }
    await deps.trustLists.setRoots(c.get('tenantId'), roots);
    return c.json({ roots: roots.length });
  });

  return app;
};
