import { beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, createTenant, uniqueEmail } from '../support/api.js';
import { consoleSignIn } from '../support/console.js';
import { manyStreamsBomb, objectStreamBomb, pdfWithCatalog, zlibBomb } from '../support/hostile-pdfs.js';
import { workflowJson } from '../support/workflow.js';

/**
 * Hostile requests across every route family (issue 15): each must get a 4xx with a stable
 * `{error:{code}}` (HTML pages: a 4xx page), never a 5xx, within 5 s, while /health, polled
 * throughout, keeps answering. One table; the server's own log is checked for errors at the
 * end of the run (test/support/global-setup.ts).
 */
type Auth = 'none' | 'key' | 'readKey' | 'otherKey' | 'admin' | 'viewer' | 'sender' | 'adminUser' | 'badKey';
interface Row {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly auth?: Auth;
  readonly json?: unknown;
  readonly body?: string | Uint8Array;
  readonly type?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  /** The stable error code; null for HTML pages (a 4xx page, no JSON). */
  readonly code: string | null;
}

const CRLF = 'Hợp đồng\r\nBcc: attacker@example.com';
const BIDI = 'Nguyễn Văn A\u202efdp.exe';
const NUL = 'Tên\u0000ẩn';
const ESC = 'Tên \u001b[31mđỏ';
const C1 = 'Tên\u0085xuống dòng';
const LSEP = 'Tên\u2028dòng mới';
const RANDOM_TOKEN = 'A'.repeat(20) + 'b'.repeat(23);
const template = (over: Record<string, unknown> = {}) => ({
  name: 'Mẫu thử',
  html: '<h1>Hợp đồng</h1><p>Bên A ký tên</p>',
  roles: [{ name: 'Bên A' }],
  fields: [],
  ...over,
});
const signer = { name: 'Nguyễn Văn An', email: 'an@example.vn' };
const notPdf = new TextEncoder().encode('%PDF-1.7\nthis is not a pdf at all');

const ROWS: readonly Row[] = [
  // --- envelopes --------------------------------------------------------------------
  { name: 'create without a key', method: 'POST', path: '/v1/envelopes', json: {}, status: 401, code: 'unauthorized' },
  { name: 'create with a made-up key', method: 'POST', path: '/v1/envelopes', auth: 'badKey', json: {}, status: 401, code: 'unauthorized' },
  {
    name: 'Basic instead of Bearer',
    method: 'GET',
    path: '/v1/envelopes',
    headers: { authorization: 'Basic YTpi' },
    status: 401,
    code: 'unauthorized',
  },
  { name: 'empty JSON object', method: 'POST', path: '/v1/envelopes', auth: 'key', json: {}, status: 400, code: 'validation_failed' },
  {
    name: 'broken JSON',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    body: '{"title":',
    type: 'application/json',
    status: 400,
    code: 'bad_request',
  },
  { name: 'JSON array body', method: 'POST', path: '/v1/envelopes', auth: 'key', json: [1, 2], status: 400, code: 'validation_failed' },
  {
    name: 'plain-text body',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    body: 'title=x',
    type: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'CR/LF in the title',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: workflowJson([signer], { title: CRLF }),
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'RLO override in a name',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: workflowJson([{ ...signer, name: BIDI }]),
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'NUL in a name',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: workflowJson([{ ...signer, name: NUL }]),
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'C1 control in the title',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: workflowJson([signer], { title: C1 }),
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'line separator in the title',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: workflowJson([signer], { title: LSEP }),
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'title of 100 000 characters',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: workflowJson([signer], { title: 'x'.repeat(100_000) }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: '500 recipients',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: workflowJson(Array.from({ length: 500 }, (_, i) => ({ name: `N${i}`, email: `n${i}@example.vn` }))),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a document that is not a PDF',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: { ...workflowJson([signer]), documents: [{ name: 'x.pdf', contentBase64: Buffer.from(notPdf).toString('base64') }] },
    status: 422,
    code: 'invalid_pdf',
  },
  {
    name: 'a document that is a zlib bomb',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: { ...workflowJson([signer]), documents: [{ name: 'x.pdf', contentBase64: objectStreamBomb(300).toString('base64') }] },
    status: 422,
    code: 'pdf_too_complex',
  },
  {
    name: 'a document with OpenAction JavaScript',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: {
      ...workflowJson([signer]),
      documents: [
        { name: 'x.pdf', contentBase64: pdfWithCatalog('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>').toString('base64') },
      ],
    },
    status: 422,
    code: 'active_content',
  },
  {
    name: 'field off the page',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: {
      ...workflowJson([signer]),
      fields: [{ recipient: 0, document: 0, type: 'signature', page: 1, x: 99999, y: 10, width: 100, height: 40 }],
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'field for recipient 7 of 1',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: {
      ...workflowJson([signer]),
      fields: [{ recipient: 7, document: 0, type: 'signature', page: 1, x: 40, y: 40, width: 100, height: 40 }],
    },
    status: 400,
    code: 'unknown_recipient',
  },
  { name: 'unknown envelope', method: 'GET', path: '/v1/envelopes/nope', auth: 'key', status: 404, code: 'envelope_not_found' },
  {
    name: 'another tenant’s envelope',
    method: 'GET',
    path: '/v1/envelopes/{ENV}',
    auth: 'otherKey',
    status: 404,
    code: 'envelope_not_found',
  },
  {
    name: 'another tenant voids it',
    method: 'POST',
    path: '/v1/envelopes/{ENV}/void',
    auth: 'otherKey',
    json: { reason: 'x' },
    status: 404,
    code: 'envelope_not_found',
  },
  {
    name: 'dot-dot path',
    method: 'GET',
    path: '/v1/envelopes/..%2F..%2Fetc%2Fpasswd',
    auth: 'key',
    status: 404,
    code: 'envelope_not_found',
  },
  {
    name: 'envelope id of 3 000 characters',
    method: 'GET',
    path: `/v1/envelopes/${'x'.repeat(3000)}`,
    auth: 'key',
    status: 400,
    code: 'validation_failed',
  },
  { name: 'send unknown', method: 'POST', path: '/v1/envelopes/nope/send', auth: 'key', json: {}, status: 404, code: 'envelope_not_found' },
  {
    name: 'void unknown',
    method: 'POST',
    path: '/v1/envelopes/nope/void',
    auth: 'key',
    json: { reason: 'x' },
    status: 404,
    code: 'envelope_not_found',
  },
  {
    name: 'document of unknown envelope',
    method: 'GET',
    path: '/v1/envelopes/nope/documents/d',
    auth: 'key',
    status: 404,
    code: 'envelope_not_found',
  },
  {
    name: 'audit of unknown envelope',
    method: 'GET',
    path: '/v1/envelopes/nope/audit',
    auth: 'key',
    status: 404,
    code: 'envelope_not_found',
  },
  {
    name: 'create with a read-only key',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'readKey',
    json: {},
    status: 403,
    code: 'insufficient_scope',
  },
  {
    name: 'legal hold with a read-only key',
    method: 'POST',
    path: '/v1/envelopes/{ENV}/legal-hold',
    auth: 'readKey',
    json: { reason: 'x' },
    status: 403,
    code: 'insufficient_scope',
  },
  {
    name: 'legal hold on unknown',
    method: 'POST',
    path: '/v1/envelopes/nope/legal-hold',
    auth: 'key',
    json: { reason: 'kiện tụng' },
    status: 404,
    code: 'envelope_not_found',
  },
  {
    name: 'Idempotency-Key reused with another body',
    method: 'POST',
    path: '/v1/envelopes',
    auth: 'key',
    json: { other: 1 },
    headers: { 'idempotency-key': 'hostile-reuse-key' },
    status: 422,
    code: 'idempotency_key_reused',
  },
  // --- recipients and signing links ------------------------------------------------
  { name: 'link token too short', method: 'GET', path: '/v1/sign/abc', status: 404, code: 'token_invalid' },
  { name: 'random link token', method: 'GET', path: `/v1/sign/${RANDOM_TOKEN}`, status: 404, code: 'token_invalid' },
  {
    name: 'sign with a random token',
    method: 'POST',
    path: `/v1/sign/${RANDOM_TOKEN}`,
    json: { signatureText: 'x' },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'decline with a random token',
    method: 'POST',
    path: `/v1/sign/${RANDOM_TOKEN}/decline`,
    json: { reason: 'x' },
    status: 404,
    code: 'token_invalid',
  },
  {
    name: 'approve with a random token',
    method: 'POST',
    path: `/v1/sign/${RANDOM_TOKEN}/approve`,
    json: {},
    status: 404,
    code: 'token_invalid',
  },
  { name: 'document by a random token', method: 'GET', path: `/v1/sign/${RANDOM_TOKEN}/documents/d`, status: 404, code: 'token_invalid' },
  { name: 'token of 5 000 characters', method: 'GET', path: `/v1/sign/${'x'.repeat(5000)}`, status: 400, code: 'validation_failed' },
  {
    name: 'signer page, random token',
    method: 'GET',
    path: `/s/${RANDOM_TOKEN}`,
    headers: { accept: 'text/html' },
    status: 404,
    code: null,
  },
  {
    name: 'embedded page, random token',
    method: 'GET',
    path: `/embed/${RANDOM_TOKEN}`,
    headers: { accept: 'text/html' },
    status: 404,
    code: null,
  },
  // --- verify -----------------------------------------------------------------------
  {
    name: 'verify plain text',
    method: 'POST',
    path: '/v1/verify',
    body: 'hello',
    type: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'verify an empty PDF body',
    method: 'POST',
    path: '/v1/verify',
    body: new Uint8Array(0),
    type: 'application/pdf',
    status: 400,
    code: 'empty_document',
  },
  { name: 'verify a non-PDF', method: 'POST', path: '/v1/verify', body: notPdf, type: 'application/pdf', status: 422, code: 'invalid_pdf' },
  {
    name: 'verify an object-stream bomb',
    method: 'POST',
    path: '/v1/verify',
    body: objectStreamBomb(500),
    type: 'application/pdf',
    status: 422,
    code: 'pdf_too_complex',
  },
  {
    name: 'verify a zlib bomb',
    method: 'POST',
    path: '/v1/verify',
    body: zlibBomb(500),
    type: 'application/pdf',
    status: 422,
    code: 'invalid_pdf',
  },
  {
    name: 'verify many streams',
    method: 'POST',
    path: '/v1/verify',
    body: manyStreamsBomb(200, 2),
    type: 'application/pdf',
    status: 422,
    code: 'pdf_too_complex',
  },
  {
    name: 'verify with a made-up key',
    method: 'POST',
    path: '/v1/verify',
    auth: 'badKey',
    body: notPdf,
    type: 'application/pdf',
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'verify with an 8 KB X-Forwarded-For',
    method: 'POST',
    path: '/v1/verify',
    body: notPdf,
    type: 'application/pdf',
    headers: { 'x-forwarded-for': '1.2.3.4,'.repeat(1000) },
    status: 422,
    code: 'invalid_pdf',
  },
  { name: 'document hash not hex', method: 'GET', path: '/v1/verify/documents/zzz', status: 400, code: 'validation_failed' },
  { name: 'unknown document hash', method: 'GET', path: `/v1/verify/documents/${'0'.repeat(64)}`, status: 404, code: 'not_found' },
  {
    name: 'trust roots garbage',
    method: 'PUT',
    path: '/v1/verify/trust-roots',
    auth: 'key',
    json: { certificatesPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'trust roots with a read key',
    method: 'PUT',
    path: '/v1/verify/trust-roots',
    auth: 'readKey',
    json: { certificatesPem: '' },
    status: 403,
    code: 'insufficient_scope',
  },
  // --- templates --------------------------------------------------------------------
  { name: 'template empty', method: 'POST', path: '/v1/templates', auth: 'key', json: {}, status: 400, code: 'validation_failed' },
  {
    name: 'template name with CR/LF',
    method: 'POST',
    path: '/v1/templates',
    auth: 'key',
    json: template({ name: CRLF }),
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'template name with RLO',
    method: 'POST',
    path: '/v1/templates',
    auth: 'key',
    json: template({ name: BIDI }),
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'template title with ESC',
    method: 'POST',
    path: '/v1/templates',
    auth: 'key',
    json: template({ title: ESC }),
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'template role name with NUL',
    method: 'POST',
    path: '/v1/templates',
    auth: 'key',
    json: template({ roles: [{ name: NUL }] }),
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'template with unknown merge field',
    method: 'POST',
    path: '/v1/templates',
    auth: 'key',
    json: template({ html: '<p>{{bi_mat}}</p>', mergeFields: ['khac'] }),
    status: 400,
    code: 'unknown_merge_field',
  },
  {
    name: 'template both html and pdf',
    method: 'POST',
    path: '/v1/templates',
    auth: 'key',
    json: template({ pdfBase64: 'AAAA' }),
    status: 400,
    code: 'validation_failed',
  },
  { name: 'template unknown', method: 'GET', path: '/v1/templates/nope', auth: 'key', status: 404, code: 'template_not_found' },
  {
    name: 'envelope from unknown template',
    method: 'POST',
    path: '/v1/templates/nope/envelopes',
    auth: 'key',
    json: { recipients: [] },
    status: 404,
    code: 'template_not_found',
  },
  {
    name: 'template with a read key',
    method: 'POST',
    path: '/v1/templates',
    auth: 'readKey',
    json: template(),
    status: 403,
    code: 'insufficient_scope',
  },
  // --- bulk -------------------------------------------------------------------------
  {
    name: 'bulk without template',
    method: 'POST',
    path: '/v1/bulk',
    auth: 'key',
    body: 'a,b\n1,2',
    type: 'text/csv',
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'bulk with unknown template',
    method: 'POST',
    path: '/v1/bulk?templateId=nope',
    auth: 'key',
    body: 'a,b\n1,2',
    type: 'text/csv',
    status: 404,
    code: 'template_not_found',
  },
  { name: 'bulk job unknown', method: 'GET', path: '/v1/bulk/nope', auth: 'key', status: 404, code: 'bulk_job_not_found' },
  {
    name: 'bulk with a read key',
    method: 'POST',
    path: '/v1/bulk?templateId=nope',
    auth: 'readKey',
    body: 'a\n1',
    type: 'text/csv',
    status: 403,
    code: 'insufficient_scope',
  },
  // --- uploads ----------------------------------------------------------------------
  { name: 'upload size zero', method: 'POST', path: '/v1/uploads', auth: 'key', json: { size: 0 }, status: 400, code: 'validation_failed' },
  {
    name: 'upload of a terabyte',
    method: 'POST',
    path: '/v1/uploads',
    auth: 'key',
    json: { size: 1e12 },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'upload size as text',
    method: 'POST',
    path: '/v1/uploads',
    auth: 'key',
    json: { size: 'lots' },
    status: 400,
    code: 'validation_failed',
  },
  // --- webhooks and settings --------------------------------------------------------
  {
    name: 'webhook to the metadata address',
    method: 'POST',
    path: '/v1/webhooks',
    auth: 'key',
    json: { url: 'http://169.254.169.254/latest', events: ['envelope.completed'] },
    status: 400,
    code: 'invalid_webhook_url',
  },
  {
    name: 'webhook to IPv4-mapped IPv6',
    method: 'POST',
    path: '/v1/webhooks',
    auth: 'key',
    json: { url: 'https://[::ffff:a9fe:a9fe]/', events: ['envelope.completed'] },
    status: 400,
    code: 'invalid_webhook_url',
  },
  {
    name: 'webhook to localhost.',
    method: 'POST',
    path: '/v1/webhooks',
    auth: 'key',
    json: { url: 'https://localhost./x', events: ['envelope.completed'] },
    status: 400,
    code: 'invalid_webhook_url',
  },
  {
    name: 'webhook with javascript: URL',
    method: 'POST',
    path: '/v1/webhooks',
    auth: 'key',
    json: { url: 'javascript:alert(1)', events: ['envelope.completed'] },
    status: 400,
    code: 'invalid_webhook_url',
  },
  {
    name: 'webhook unknown event',
    method: 'POST',
    path: '/v1/webhooks',
    auth: 'key',
    json: { url: 'https://example.com/h', events: ['envelope.exploded'] },
    status: 400,
    code: 'unknown_webhook_event',
  },
  { name: 'webhook delete unknown', method: 'DELETE', path: '/v1/webhooks/nope', auth: 'key', status: 404, code: 'not_found' },
  { name: 'webhooks with a read key', method: 'GET', path: '/v1/webhooks', auth: 'readKey', status: 403, code: 'insufficient_scope' },
  {
    name: 'settings TSA on a mapped metadata address',
    method: 'PUT',
    path: '/v1/settings',
    auth: 'key',
    json: { tsaUrls: ['https://[::ffff:a9fe:a9fe]/tsa'] },
    status: 400,
    code: 'url_not_allowed',
  },
  {
    name: 'settings wrong types',
    method: 'PUT',
    path: '/v1/settings',
    auth: 'key',
    json: { tsaUrls: 42 },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'settings with a read key',
    method: 'PUT',
    path: '/v1/settings',
    auth: 'readKey',
    json: {},
    status: 403,
    code: 'insufficient_scope',
  },
  {
    name: 'seal tax code not a tax code',
    method: 'POST',
    path: '/v1/seal',
    auth: 'key',
    json: { taxCode: 'abc' },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'seal organisation with CR/LF',
    method: 'POST',
    path: '/v1/seal',
    auth: 'key',
    json: { taxCode: '0101234567', organization: CRLF },
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'remote signing to loopback',
    method: 'PUT',
    path: '/v1/remote-signing',
    auth: 'key',
    json: { baseUrl: 'https://127.0.0.1/csc/v2', clientId: 'a', clientSecret: 'b' },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'remote signing with a send key',
    method: 'PUT',
    path: '/v1/remote-signing',
    auth: 'readKey',
    json: {},
    status: 403,
    code: 'insufficient_scope',
  },
  // --- labour, reports, data subjects, dashboard ------------------------------------
  {
    name: 'labour report with a bad period',
    method: 'GET',
    path: '/v1/reports/labour-contracts?from=yesterday',
    auth: 'key',
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'appendix of unknown contract',
    method: 'POST',
    path: '/v1/labour-contracts/conversions',
    auth: 'key',
    json: {},
    status: 400,
    code: 'validation_failed',
  },
  { name: 'data subject with no identifier', method: 'GET', path: '/v1/data-subjects', auth: 'key', status: 400, code: 'invalid_subject' },
  {
    name: 'data subjects with a read key',
    method: 'GET',
    path: '/v1/data-subjects?email=a%40example.vn',
    auth: 'readKey',
    status: 403,
    code: 'insufficient_scope',
  },
  { name: 'dashboard without a key', method: 'GET', path: '/v1/dashboard', status: 401, code: 'unauthorized' },
  // --- console ----------------------------------------------------------------------
  {
    name: 'console login as text',
    method: 'POST',
    path: '/app/api/login',
    body: 'email=a',
    type: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'console login broken JSON',
    method: 'POST',
    path: '/app/api/login',
    body: '{"email"',
    type: 'application/json',
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'console login 10 000-char email',
    method: 'POST',
    path: '/app/api/login',
    json: { email: `${'a'.repeat(10_000)}@x.vn`, password: 'x' },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'console login unknown user',
    method: 'POST',
    path: '/app/api/login',
    json: { email: 'khong-co@example.vn', password: 'sai mật khẩu' },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'console login from another origin',
    method: 'POST',
    path: '/app/api/login',
    json: { email: 'a@example.vn', password: 'x' },
    headers: { origin: 'https://evil.example' },
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'console TOTP with a made-up challenge',
    method: 'POST',
    path: '/app/api/login/totp',
    json: { challenge: RANDOM_TOKEN, code: '123456' },
    status: 401,
    code: 'login_challenge_invalid',
  },
  {
    name: 'console TOTP without a code',
    method: 'POST',
    path: '/app/api/login/totp',
    json: { challenge: RANDOM_TOKEN },
    status: 400,
    code: 'validation_failed',
  },
  { name: 'console me without a session', method: 'GET', path: '/app/api/me', status: 401, code: 'unauthorized' },
  {
    name: 'console me with a forged cookie',
    method: 'GET',
    path: '/app/api/me',
    headers: { cookie: `kyso_session=${RANDOM_TOKEN}` },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'console change without CSRF token',
    method: 'POST',
    path: '/app/api/keys',
    auth: 'sender',
    json: { label: 'x' },
    headers: { 'x-csrf-token': '' },
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'viewer creates an envelope',
    method: 'POST',
    path: '/app/api/envelopes',
    auth: 'viewer',
    json: workflowJson([signer]),
    status: 403,
    code: 'insufficient_role',
  },
  {
    name: 'viewer makes a key',
    method: 'POST',
    path: '/app/api/keys',
    auth: 'viewer',
    json: { label: 'x' },
    status: 403,
    code: 'insufficient_role',
  },
  { name: 'sender lists users', method: 'GET', path: '/app/api/users', auth: 'sender', status: 403, code: 'insufficient_role' },
  {
    name: 'sender makes an admin key',
    method: 'POST',
    path: '/app/api/keys',
    auth: 'sender',
    json: { label: 'x', scopes: ['admin'] },
    status: 403,
    code: 'insufficient_role',
  },
  {
    name: 'sender reads personal-data requests',
    method: 'GET',
    path: '/app/api/data-subjects/requests',
    auth: 'sender',
    status: 403,
    code: 'insufficient_role',
  },
  {
    name: 'admin adds a user named with CR/LF',
    method: 'POST',
    path: '/app/api/users',
    auth: 'adminUser',
    json: { email: 'crlf@example.vn', name: CRLF, role: 'viewer', password: 'mật khẩu đủ dài' },
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'admin adds a user named with RLO',
    method: 'POST',
    path: '/app/api/users',
    auth: 'adminUser',
    json: { email: 'rlo@example.vn', name: BIDI, role: 'viewer', password: 'mật khẩu đủ dài' },
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'admin adds a root user',
    method: 'POST',
    path: '/app/api/users',
    auth: 'adminUser',
    json: { email: 'root@example.vn', name: 'Root', role: 'root', password: 'mật khẩu đủ dài' },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'admin adds a user with a short password',
    method: 'POST',
    path: '/app/api/users',
    auth: 'adminUser',
    json: { email: 'short@example.vn', name: 'Short', role: 'viewer', password: 'ngắn' },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'sender changes a role',
    method: 'PUT',
    path: '/app/api/users/nope/role',
    auth: 'sender',
    json: { role: 'admin' },
    status: 403,
    code: 'insufficient_role',
  },
  {
    name: 'viewer disables a user',
    method: 'POST',
    path: '/app/api/users/nope/disable',
    auth: 'viewer',
    status: 403,
    code: 'insufficient_role',
  },
  {
    name: 'admin makes a user root',
    method: 'PUT',
    path: '/app/api/users/nope/role',
    auth: 'adminUser',
    json: { role: 'root' },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'admin resets an unknown user',
    method: 'POST',
    path: '/app/api/users/nope/totp/reset',
    auth: 'adminUser',
    status: 404,
    code: 'console_user_not_found',
  },
  {
    name: 'admin turns TOTP off',
    method: 'POST',
    path: '/app/api/me/totp/off',
    auth: 'adminUser',
    json: { code: '123456' },
    status: 403,
    code: 'totp_required',
  },
  {
    name: 'console TOTP confirm with a 10 kB code',
    method: 'POST',
    path: '/app/api/me/totp/confirm',
    auth: 'sender',
    json: { challenge: 'x'.repeat(43), code: '1'.repeat(10_000) },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'console password change with a 100 kB password',
    method: 'POST',
    path: '/app/api/me/password',
    auth: 'sender',
    json: { currentPassword: 'x', newPassword: 'y'.repeat(100_000) },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'console revokes an unknown key',
    method: 'DELETE',
    path: '/app/api/keys/nope',
    auth: 'adminUser',
    status: 404,
    code: 'not_found',
  },
  { name: 'console asset outside the list', method: 'GET', path: '/app/assets/..%2F..%2Fpackage.json', status: 404, code: 'not_found' },
  { name: 'console asset unknown', method: 'GET', path: '/app/assets/evil.js', status: 404, code: 'not_found' },
  // --- admin ------------------------------------------------------------------------
  { name: 'admin without key', method: 'POST', path: '/admin/tenants', json: { name: 'X' }, status: 401, code: 'unauthorized' },
  {
    name: 'admin with a tenant key',
    method: 'POST',
    path: '/admin/tenants',
    auth: 'key',
    json: { name: 'X' },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'tenant name with CR/LF',
    method: 'POST',
    path: '/admin/tenants',
    auth: 'admin',
    json: { name: CRLF },
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'tenant name with RLO',
    method: 'POST',
    path: '/admin/tenants',
    auth: 'admin',
    json: { name: BIDI },
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'tenant name with ESC',
    method: 'POST',
    path: '/admin/tenants',
    auth: 'admin',
    json: { name: ESC },
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'tenant name empty',
    method: 'POST',
    path: '/admin/tenants',
    auth: 'admin',
    json: { name: '   ' },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'user of unknown tenant',
    method: 'POST',
    path: '/admin/tenants/nope/users',
    auth: 'admin',
    json: { email: 'u@example.vn', name: 'U', password: 'mật khẩu đủ dài' },
    status: 404,
    code: 'not_found',
  },
  {
    name: 'user name with C1 control',
    method: 'POST',
    path: '/admin/tenants/{TENANT}/users',
    auth: 'admin',
    json: { email: 'c1@example.vn', name: C1, password: 'mật khẩu đủ dài' },
    status: 400,
    code: 'control_characters',
  },
  {
    name: 'user with an unknown role',
    method: 'POST',
    path: '/admin/tenants/{TENANT}/users',
    auth: 'admin',
    json: { email: 'r@example.vn', name: 'R', password: 'mật khẩu đủ dài', role: 'owner' },
    status: 400,
    code: 'validation_failed',
  },
  // --- dev, pki, tsa, callbacks, the rest ---------------------------------------------
  { name: 'dev scheduler unknown task', method: 'POST', path: '/dev/scheduler/format-disk', status: 404, code: 'not_found' },
  {
    name: 'dev scheduler bad instant',
    method: 'POST',
    path: '/dev/scheduler/reminders?now=tomorrow',
    status: 400,
    code: 'validation_failed',
  },
  { name: 'pki unknown file', method: 'GET', path: '/pki/private-key.pem', status: 404, code: 'not_found' },
  {
    name: 'TSA garbage request',
    method: 'POST',
    path: '/tsa',
    body: 'not DER',
    type: 'application/timestamp-query',
    status: 400,
    code: 'invalid_timestamp_request',
  },
  {
    name: 'TSA empty request',
    method: 'POST',
    path: '/tsa',
    body: new Uint8Array(0),
    type: 'application/timestamp-query',
    status: 400,
    code: 'invalid_timestamp_request',
  },
  {
    name: 'Zalo callback unsigned',
    method: 'POST',
    path: '/callbacks/zalo',
    json: { event_name: 'user_received_message' },
    status: 401,
    code: 'unauthorized',
  },
  { name: 'unknown API route', method: 'GET', path: '/v1/secrets', status: 404, code: 'not_found' },
  { name: 'path of 8 000 characters', method: 'GET', path: `/v1/${'a/'.repeat(4000)}`, status: 404, code: 'not_found' },
  { name: 'TRACE method', method: 'PATCH', path: '/v1/envelopes', auth: 'key', json: {}, status: 404, code: 'not_found' },
];

describe('hostile requests across every route family', () => {
  const auth: Partial<Record<Auth, Record<string, string>>> = { none: {} };
  const subst: Record<string, string> = {};
  beforeAll(async () => {
    const a = await createTenant('Công ty TNHH Thử Tấn Công');
    const b = await createTenant('Công ty TNHH Người Lạ');
    subst.TENANT = a.tenantId;
    const adminKey = inject('adminKey');
    const password = 'mật khẩu đủ dài 123';
    const users: Record<string, string> = {};
    for (const role of ['viewer', 'sender', 'admin'] as const) {
      users[role] = uniqueEmail(`hostile-${role}`);
      const r = await fetch(`${baseUrl()}/admin/tenants/${a.tenantId}/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: users[role], name: `Người ${role}`, password, role }),
      });
      expect(r.status).toBe(201);
    }
    const sessions = Object.fromEntries(
      await Promise.all(Object.entries(users).map(async ([role, email]) => [role, await consoleSignIn(email, password)] as const)),
    );
    const session = (role: string) => ({
      cookie: sessions[role]?.cookie as string,
      'x-csrf-token': sessions[role]?.csrfToken as string,
      origin: baseUrl(),
    });
    const readKey = await fetch(`${baseUrl()}/app/api/keys`, {
      method: 'POST',
      headers: { ...session('admin'), 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'read only', scopes: ['read'] }),
    });
    auth.key = { authorization: `Bearer ${a.apiKey}` };
    auth.readKey = { authorization: `Bearer ${((await readKey.json()) as { key: string }).key}` };
    auth.otherKey = { authorization: `Bearer ${b.apiKey}` };
    auth.badKey = { authorization: `Bearer kyso_${'z'.repeat(32)}` };
    auth.admin = { authorization: `Bearer ${adminKey}` };
    auth.viewer = session('viewer');
    auth.sender = session('sender');
    auth.adminUser = session('admin');
    const env = await fetch(`${baseUrl()}/v1/envelopes`, {
      method: 'POST',
      headers: { ...auth.key, 'content-type': 'application/json' },
      body: JSON.stringify(workflowJson([signer])),
    });
    expect(env.status).toBe(201);
    subst.ENV = ((await env.json()) as { id: string }).id;
    // The first use of the Idempotency-Key the table reuses with another body.
    await fetch(`${baseUrl()}/v1/envelopes`, {
      method: 'POST',
      headers: { ...auth.key, 'content-type': 'application/json', 'idempotency-key': 'hostile-reuse-key' },
      body: JSON.stringify({ first: 1 }),
    });
  });

  it(`answers ${ROWS.length} hostile requests with a 4xx and a stable code, each within 5 s, with /health up throughout`, async () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(100);
    let running = true;
    const health: { status: number; ms: number }[] = [];
    const poll = (async () => {
      while (running) {
        const t = Date.now();
        const r = await fetch(`${baseUrl()}/health`, { signal: AbortSignal.timeout(5000) }).catch(() => ({ status: 0 }));
        health.push({ status: r.status, ms: Date.now() - t });
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    const outcomes: { row: Row; status: number; code: string | null; ms: number }[] = [];
    const queue = [...ROWS];
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const path = row.path.replace(/\{(\w+)\}/g, (_, k: string) => subst[k] as string);
        const headers: Record<string, string> = { ...(auth[row.auth ?? 'none'] ?? {}), ...(row.headers ?? {}) };
        let body: BodyInit | undefined;
        if (row.json !== undefined) {
          headers['content-type'] = 'application/json';
          body = JSON.stringify(row.json);
        } else if (row.body !== undefined) {
          headers['content-type'] = row.type ?? 'application/octet-stream';
          body = row.body as BodyInit;
        }
        if (path.startsWith('/app/api/') && !headers.origin) headers.origin = baseUrl();
        if (headers['x-csrf-token'] === '') delete headers['x-csrf-token'];
        const t = Date.now();
        const res = await fetch(`${baseUrl()}${path}`, { method: row.method, headers, body, signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        let code: string | null = null;
        try {
          code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
        } catch {
          code = null;
        }
        outcomes.push({ row, status: res.status, code, ms: Date.now() - t });
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    running = false;
    await poll;

    const wrong = outcomes
      .filter((o) => o.status !== o.row.status || o.code !== o.row.code)
      .map((o) => `${o.row.name}: ${o.row.method} ${o.row.path.slice(0, 60)} → ${o.status} ${o.code} (want ${o.row.status} ${o.row.code})`);
    expect(wrong).toEqual([]);
    expect(outcomes.filter((o) => o.status >= 500)).toEqual([]);
    const slow = outcomes.filter((o) => o.ms > 5000).map((o) => `${o.row.name}: ${o.ms} ms`);
    expect(slow).toEqual([]);
    expect(health.length).toBeGreaterThan(3);
    expect(health.filter((h) => h.status !== 200 || h.ms > 5000)).toEqual([]);
  });
});
