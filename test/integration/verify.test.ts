import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { VerificationReport } from '../../shared/verify/types.js';
import { call, createTenant, envelopeJson, fixture, latestLinkToken, uniqueEmail } from '../support/api.js';
import { objectStreamBomb, pdfWithCatalog } from '../support/hostile-pdfs.js';
import { runPdfsig } from '../support/validators.js';
import { signedDocument } from '../unit/verify/documents.js';
import { appendPage, flipSignedByte } from '../unit/verify/tamper.js';

interface ErrorBody {
  error: { code: string };
}

const verify = <T = VerificationReport>(pdf: Uint8Array, query = '', headers: Record<string, string> = {}) =>
  call<T>('POST', `/v1/verify${query}`, {
    body: pdf as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/pdf', ...headers },
  });

/** pdfsig's "Signature is Valid" agrees with our integrity + signature value verdict, signature by signature. */
const expectPdfsigAgrees = async (pdf: Uint8Array, report: VerificationReport) => {
  const root = (await call<string>('GET', '/pki/root.pem')).body;
  const sig = runPdfsig(pdf, [root]);
  const theirs = sig.signatures.filter((s) => s.subFilter !== 'unknown' && s.subFilter !== 'ETSI.RFC3161');
  const ours = report.signatures.filter((s) => s.kind !== 'document-timestamp');
  expect(theirs.length, sig.output).toBe(ours.length);
  for (const [i, s] of ours.entries()) expect(s.integrity.ok && s.signatureValue.ok, theirs[i]?.raw).toBe(theirs[i]?.valid);
};

/** A completed two-signer envelope, made through the API. */
const completedEnvelope = async () => {
  const key = inject('devApiKey');
  const an = { name: 'Nguyễn Văn An', email: uniqueEmail('an') };
  const hr = { name: 'Công ty <b>TNHH</b> Thử & Nghiệm', email: uniqueEmail('hr') };
  const create = await call<{ id: string }>('POST', '/v1/envelopes', {
    key,
    json: envelopeJson({ title: 'Hợp đồng lao động số 12/2026', pdf: fixture('hop-dong-lao-dong.pdf'), signers: [an, hr] }),
  });
  const id = create.body.id;
  await call('POST', `/v1/envelopes/${id}/send`, { key });
  for (const s of [an, hr]) {
    const r = await call('POST', `/v1/sign/${await latestLinkToken(s.email)}`, { json: { signature: { type: 'typed', value: s.name } } });
    expect(r.status).toBe(200);
  }
  const env = await call<{ documents: { id: string }[] }>('GET', `/v1/envelopes/${id}`, { key });
  const pdf = await call<Uint8Array>('GET', `/v1/envelopes/${id}/documents/${env.body.documents[0]?.id}`, { key });
  return { id, pdf: pdf.body, an, hr };
};

describe('POST /v1/verify', () => {
  let doc: Awaited<ReturnType<typeof completedEnvelope>>;
  beforeAll(async () => {
    doc = await completedEnvelope();
  });

  it('a completed envelope is valid at B-LTA, links to its public summary (no emails), and pdfsig agrees', async () => {
    const r = await verify(doc.pdf);
    expect(r.status).toBe(200);
    expect(r.body.verdict, JSON.stringify(r.body.signatures.map((s) => [s.kind, s.reasons, s.modifications.disallowed]))).toBe('valid');
    expect(r.body.level).toBe('B-LTA');
    expect(r.body.signatures.map((s) => s.kind)).toEqual(['certification', 'approval', 'approval', 'document-timestamp']);
    expect(r.body.signatures.every((s) => s.verdict === 'valid' && s.revocation.status === 'good')).toBe(true);
    expect(r.body.signatures.slice(1, 3).map((s) => s.signerName)).toEqual([doc.an.name, doc.hr.name]);
    // Issue 11: each signature's tier, in words.
    expect(r.body.signatures.map((s) => s.tier)).toEqual(['platform', 'platform-one-time', 'platform-one-time', undefined]);
    expect(r.body.signatures[1]?.tierText).toEqual({
      vi: 'Chữ ký điện tử (chứng thư số dùng một lần của nền tảng Kyso)',
      en: 'Electronic signature (Kyso platform one-time certificate)',
    });
    expect(r.body.kyso).toMatchObject({
      envelopeId: doc.id,
      title: 'Hợp đồng lao động số 12/2026',
      status: 'completed',
      currentRevision: true,
    });
    expect(r.body.kyso?.parties.map((p) => p.name)).toEqual([doc.an.name, doc.hr.name]);
    expect(r.body.kyso?.completedAt).toBeDefined();
    expect(JSON.stringify(r.body)).not.toContain('@example.vn');
    await expectPdfsigAgrees(doc.pdf, r.body);

    const summary = await call('GET', `/v1/verify/documents/${r.body.sha256}`);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ envelopeId: doc.id, currentRevision: true });
    // an unsigned upload is never linked to an envelope (the same template may be in many)
    expect((await verify(fixture('hop-dong-lao-dong.pdf'))).body.kyso).toBeUndefined();
  });

  it("multipart upload (the page's form) gives the same verdict", async () => {
    const form = new FormData();
    form.set('file', new Blob([doc.pdf as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }), 'hd.pdf');
    const r = await call<VerificationReport>('POST', '/v1/verify', { body: form });
    expect(r.status).toBe(200);
    expect(r.body.verdict).toBe('valid');
  });

  it('one byte changed inside a signed range: invalid (integrity), no envelope link, pdfsig agrees', async () => {
    const tampered = flipSignedByte(doc.pdf);
    const r = await verify(tampered);
    expect(r.body.verdict).toBe('invalid');
    expect(r.body.signatures.every((s) => !s.integrity.ok && s.reasons.includes('integrity_failed'))).toBe(true);
    expect(r.body.kyso).toBeUndefined();
    await expectPdfsigAgrees(tampered, r.body);
  });

  it('a page appended after completion: every signature flags it, invalid', async () => {
    const r = await verify(await appendPage(doc.pdf));
    expect(r.body.verdict).toBe('invalid');
    expect(r.body.pages).toBe(3);
    for (const s of r.body.signatures) expect(s.reasons).toContain('modified_after_signing');
  });

  it('a document signed under a root the platform does not trust: indeterminate; pdfsig agrees on integrity', async () => {
    const { pdf } = await signedDocument({ signers: 2 });
    const r = await verify(pdf);
    expect(r.body.verdict).toBe('indeterminate');
    expect(r.body.reasons).toContain('certificate_not_trusted');
    expect(r.body.signatures.every((s) => s.integrity.ok && s.signatureValue.ok)).toBe(true);
    await expectPdfsigAgrees(pdf, r.body);
  });

  it('?format=pdf: a printable report in Vietnamese and English', async () => {
    const r = await verify<Uint8Array>(doc.pdf, '?format=pdf');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    const text = execFileSync('pdftotext', ['-', '-'], { input: r.body }).toString('utf8');
    expect(text).toContain('Báo cáo kiểm tra chữ ký số');
    expect(text).toContain('Digital signature verification report');
    expect(text).toContain('Hợp lệ / Valid');
    expect(text).toContain(doc.an.name);
  });

  it('Accept: text/html: a page with every value from the file escaped', async () => {
    const r = await verify<string>(doc.pdf, '', { accept: 'text/html' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.body).toContain('lang="vi"');
    expect(r.body).toContain('Công ty &lt;b&gt;TNHH&lt;/b&gt; Thử &amp; Nghiệm');
    expect(r.body).not.toContain('<b>TNHH');
  });

  it.each([
    ['encrypted.pdf', 422, 'encrypted_pdf'],
    ['truncated.pdf', 422, 'invalid_pdf'],
    ['not-a-pdf.pdf', 422, 'invalid_pdf'],
  ])('%s → %i %s', async (name, status, code) => {
    const r = await verify<ErrorBody>(fixture(name));
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    const html = await verify<string>(fixture(name), '', { accept: 'text/html' });
    expect(html.status).toBe(status);
    expect(html.body).toContain('Không thể kiểm tra tệp này');
  });

  it('a decompression bomb (3 MB inflating to 3 GiB) is refused before parsing, fast, and /health still answers', async () => {
    const started = Date.now();
    const r = await verify<ErrorBody>(objectStreamBomb(3 * 1024));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('pdf_too_complex');
    // The scan itself takes well under a second (test/unit/pdf/pdf-limits.test.ts); this includes a 3 MB upload on a busy CI machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('flags active content in a file Kyso did not produce', async () => {
    const r = await verify(pdfWithCatalog('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>'));
    expect(r.status).toBe(200);
    expect(r.body.activeContent).toEqual(expect.arrayContaining(['javascript', 'open-action']));
    const clean = await verify(fixture('hop-dong-dien.pdf'));
    expect(clean.body.activeContent).toBeUndefined();
  });

  it('empty, wrong type and oversized bodies are 4xx', async () => {
    expect((await verify<ErrorBody>(new Uint8Array(0))).body.error.code).toBe('empty_document');
    const text = await call<ErrorBody>('POST', '/v1/verify', { body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect([text.status, text.body.error.code]).toEqual([415, 'unsupported_media_type']);
    const big = await verify<ErrorBody>(new Uint8Array(5 * 1024 * 1024));
    expect([big.status, big.body.error.code]).toEqual([413, 'payload_too_large']);
  });
});

describe('trust lists', () => {
  it("a tenant's own roots count when it calls with its API key, and only then", async () => {
    const tenant = await createTenant('Ngân hàng Kiểm Thử');
    const { pki, pdf } = await signedDocument({ signers: 1 });
    const put = await call<{ roots: number }>('PUT', '/v1/verify/trust-roots', {
      key: tenant.apiKey,
      json: { certificatesPem: pki.rootPem },
    });
    expect(put.body).toEqual({ roots: 1 });
    const withKey = await verify(pdf, '', { authorization: `Bearer ${tenant.apiKey}` });
    expect(withKey.body.verdict, JSON.stringify(withKey.body.reasons)).toBe('valid');
    expect(withKey.body.level).toBe('B-LTA');
    expect(withKey.body.signatures[0]?.tier).toBe('licensed-ca');
    const withoutKey = (await verify(pdf)).body;
    expect(withoutKey.verdict).toBe('indeterminate');
    expect(withoutKey.signatures[0]?.tier).toBe('untrusted');
    const badKey = await verify<ErrorBody>(pdf, '', { authorization: 'Bearer nope' });
    expect([badKey.status, badKey.body.error.code]).toEqual([401, 'unauthorized']);
    const notPem = await call<ErrorBody>('PUT', '/v1/verify/trust-roots', { key: tenant.apiKey, json: { certificatesPem: 'x' } });
    expect(notPem.status).toBe(200); // no PEM blocks: an empty list clears the tenant's roots
    expect((await verify(pdf, '', { authorization: `Bearer ${tenant.apiKey}` })).body.verdict).toBe('indeterminate');
  });
});

describe('GET /verify', () => {
  it('serves the upload page in Vietnamese by default and in English on request', async () => {
    const vi = await call<string>('GET', '/verify');
    expect(vi.status).toBe(200);
    expect(vi.body).toContain('lang="vi"');
    expect(vi.body).toContain('width=device-width');
    expect(vi.body).toContain('enctype="multipart/form-data"');
    expect(vi.body).toContain('Kiểm tra chữ ký số');
    const en = await call<string>('GET', '/verify?lang=en');
    expect(en.body).toContain('Verify digital signatures');
  });
});
