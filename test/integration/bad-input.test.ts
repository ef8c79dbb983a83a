import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { call, createTenant, envelopeJson, fixture, latestLinkToken, uniqueEmail } from '../support/api.js';
import { objectStreamBomb, pdfWithCatalog, pdfWithPage } from '../support/hostile-pdfs.js';

interface ErrorBody {
  error: { code: string; message: string };
}

const s3 = () =>
  new S3Client({
    endpoint: inject('awsEndpoint'),
    region: 'ap-southeast-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

const storedObjects = async (tenantId: string): Promise<number> => {
  const r = await s3().send(new ListObjectsV2Command({ Bucket: 'kyso-documents', Prefix: `tenants/${tenantId}/` }));
  return r.KeyCount ?? 0;
};

const signer = () => [{ name: 'Phạm Thu Hà', email: uniqueEmail('ha') }];

describe('bad input gets a 4xx with a stable code and stores nothing', () => {
  let tenant: { tenantId: string; apiKey: string };
  beforeAll(async () => {
    tenant = await createTenant('Công ty Kiểm Thử Lỗi');
  });

  const cases: [string, () => unknown, number, string][] = [
    ['a non-PDF document', () => envelopeJson({ pdf: fixture('not-a-pdf.pdf'), signers: signer() }), 422, 'invalid_pdf'],
    ['a truncated PDF', () => envelopeJson({ pdf: fixture('truncated.pdf'), signers: signer() }), 422, 'invalid_pdf'],
    ['an encrypted PDF', () => envelopeJson({ pdf: fixture('encrypted.pdf'), signers: signer() }), 422, 'encrypted_pdf'],
    ['an empty document', () => envelopeJson({ pdf: new Uint8Array(), signers: signer() }), 400, 'empty_document'],
    [
      'no documents at all',
      () => ({ ...envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: signer() }), documents: [] }),
      400,
      'validation_failed',
    ],
    [
      'an unknown recipient index',
      () => ({
        ...envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: signer() }),
        fields: [{ recipient: 3, document: 0, type: 'signature', page: 1, x: 10, y: 10, width: 100, height: 40 }],
      }),
      400,
      'unknown_recipient',
    ],
    [
      'a field off the page',
      () => ({
        ...envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: signer() }),
        fields: [{ recipient: 0, document: 0, type: 'signature', page: 1, x: 500, y: 800, width: 200, height: 60 }],
      }),
      400,
      'field_off_page',
    ],
    [
      'a field on a page that does not exist',
      () => ({
        ...envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: signer() }),
        fields: [{ recipient: 0, document: 0, type: 'signature', page: 9, x: 10, y: 10, width: 100, height: 40 }],
      }),
      400,
      'field_off_page',
    ],
    [
      'a signer without a signature field',
      () => ({ ...envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: signer() }), fields: [] }),
      400,
      'missing_signature_field',
    ],
    [
      'a gap in the routing order',
      () =>
        envelopeJson({
          pdf: fixture('hop-dong-dien.pdf'),
          signers: [
            { name: 'A', email: uniqueEmail('a'), order: 1 },
            { name: 'B', email: uniqueEmail('b'), order: 3 },
          ],
        }),
      400,
      'validation_failed',
    ],
    [
      'a decompression bomb (2 MB inflating to 2 GiB)',
      () => envelopeJson({ pdf: objectStreamBomb(2048), signers: signer() }),
      422,
      'pdf_too_complex',
    ],
    [
      'a PDF with JavaScript in its OpenAction',
      () => envelopeJson({ pdf: pdfWithCatalog('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>'), signers: signer() }),
      422,
      'active_content',
    ],
    [
      'a PDF with an embedded file',
      () => envelopeJson({ pdf: pdfWithCatalog('/Names << /EmbeddedFiles << /Names [] >> >>'), signers: signer() }),
      422,
      'active_content',
    ],
    ['a page without /MediaBox', () => envelopeJson({ pdf: pdfWithPage(''), signers: signer() }), 422, 'invalid_pdf'],
    [
      'a page with /Rotate /Ninety',
      () => envelopeJson({ pdf: pdfWithPage('/MediaBox [0 0 595 842] /Rotate /Ninety'), signers: signer() }),
      422,
      'invalid_pdf',
    ],
    [
      'CR/LF in the title',
      () => envelopeJson({ title: 'Hợp đồng\r\nBcc: victim@example.vn', pdf: fixture('hop-dong-dien.pdf'), signers: signer() }),
      400,
      'control_characters',
    ],
    [
      'a control character in a signer name',
      () => envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: [{ name: 'Phạm\nCN=Giám đốc', email: uniqueEmail('cc') }] }),
      400,
      'control_characters',
    ],
    ['a body that is not JSON', () => '{"title":', 400, 'bad_request'],
    [
      'base64 that is not base64',
      () => ({
        ...envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: signer() }),
        documents: [{ name: 'x.pdf', contentBase64: '***' }],
      }),
      400,
      'validation_failed',
    ],
  ];

  it.each(cases)('rejects %s', async (_label, body, status, code) => {
    const before = await call<{ items: unknown[] }>('GET', '/v1/envelopes', { key: tenant.apiKey });
    const objectsBefore = await storedObjects(tenant.tenantId);
    const payload = body();
    const r =
      typeof payload === 'string'
        ? await call<ErrorBody>('POST', '/v1/envelopes', {
            key: tenant.apiKey,
            body: payload,
            headers: { 'content-type': 'application/json' },
          })
        : await call<ErrorBody>('POST', '/v1/envelopes', { key: tenant.apiKey, json: payload });
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message.length).toBeGreaterThan(5);
    const after = await call<{ items: unknown[] }>('GET', '/v1/envelopes', { key: tenant.apiKey });
    expect(after.body.items.length).toBe(before.body.items.length);
    expect(await storedObjects(tenant.tenantId)).toBe(objectsBefore);
  });

  it('rejects an unsupported content type with 415', async () => {
    const r = await call<ErrorBody>('POST', '/v1/envelopes', { key: tenant.apiKey, body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('unsupported_media_type');
  });
});

describe('authentication and tenant isolation', () => {
  it('refuses a missing or wrong API key', async () => {
    const none = await call<ErrorBody>('GET', '/v1/envelopes');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    const wrong = await call<ErrorBody>('GET', '/v1/envelopes', { key: 'kyso_not_a_key' });
    expect(wrong.status).toBe(401);
  });

  it('never shows one tenant another tenant’s envelope', async () => {
    const a = await createTenant('Điện lực A');
    const b = await createTenant('Nước sạch B');
    const created = await call<{ id: string; documents: { id: string }[] }>('POST', '/v1/envelopes', {
      key: a.apiKey,
      json: envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: signer() }),
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    for (const [method, path] of [
      ['GET', `/v1/envelopes/${id}`],
      ['POST', `/v1/envelopes/${id}/send`],
      ['GET', `/v1/envelopes/${id}/audit`],
      ['GET', `/v1/envelopes/${id}/documents/${created.body.documents[0]?.id}`],
    ] as const) {
      const r = await call<ErrorBody>(method, path, { key: b.apiKey });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error.code).toBe('envelope_not_found');
    }
    expect((await call<{ items: unknown[] }>('GET', '/v1/envelopes', { key: b.apiKey })).body.items).toHaveLength(0);
    // and the owner still sees it as a draft: B's send did nothing
    expect((await call<{ status: string }>('GET', `/v1/envelopes/${id}`, { key: a.apiKey })).body.status).toBe('draft');
  });
});

describe('signing links', () => {
  it('refuses a second signature with the same link, a dead token, and sending twice', async () => {
    const key = inject('devApiKey');
    const email = uniqueEmail('reuse');
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({
        pdf: fixture('hop-dong-lao-dong.pdf'),
        signers: [
          { name: 'Võ Minh Khoa', email },
          { name: 'Đặng Thị Mai', email: uniqueEmail('mai') },
        ],
      }),
    });
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });
    const again = await call<ErrorBody>('POST', `/v1/envelopes/${created.body.id}/send`, { key });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_state');

    const token = await latestLinkToken(email);
    const sign = () => call<ErrorBody>('POST', `/v1/sign/${token}`, { json: { signature: { type: 'typed', value: 'Võ Minh Khoa' } } });
    expect((await sign()).status).toBe(200);
    const twice = await sign();
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_signed');

    const dead = await call<ErrorBody>('POST', `/v1/sign/${'x'.repeat(43)}`, { json: { signature: { type: 'typed', value: 'X' } } });
    expect(dead.status).toBe(404);
    expect(dead.body.error.code).toBe('token_invalid');
    const deadPage = await call<string>('GET', `/s/${'y'.repeat(43)}`);
    expect(deadPage.status).toBe(404);
    expect(deadPage.body).toContain('Liên kết ký không hợp lệ');
  });

  it('refuses a signature without a typed name and a wrong field value, changing nothing', async () => {
    const key = inject('devApiKey');
    const email = uniqueEmail('vals');
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({
        pdf: fixture('hop-dong-dien.pdf'),
        signers: [{ name: 'Hoàng Văn Nam', email }],
        extraFields: [{ recipient: 0, document: 0, type: 'date', page: 1, x: 60, y: 560, width: 120, height: 20 }],
      }),
    });
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });
    const token = await latestLinkToken(email);
    const view = await call<{ fields: { id: string; type: string }[] }>('GET', `/v1/sign/${token}`);
    const dateId = view.body.fields.find((f) => f.type === 'date')?.id as string;

    const noName = await call<ErrorBody>('POST', `/v1/sign/${token}`, {
      json: { fields: { [dateId]: '2026-01-01' }, signature: { type: 'typed', value: '' } },
    });
    expect(noName.status).toBe(400);
    const badDate = await call<ErrorBody>('POST', `/v1/sign/${token}`, {
      json: { fields: { [dateId]: '31/02/2026' }, signature: { type: 'typed', value: 'Hoàng Văn Nam' } },
    });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.code).toBe('invalid_field_value');
    const missing = await call<ErrorBody>('POST', `/v1/sign/${token}`, { json: { signature: { type: 'typed', value: 'Hoàng Văn Nam' } } });
    expect(missing.body.error.code).toBe('invalid_field_value');
    const foreign = await call<ErrorBody>('POST', `/v1/sign/${token}`, {
      json: { fields: { [dateId]: '2026-01-01', notMine: 'x' }, signature: { type: 'typed', value: 'Hoàng Văn Nam' } },
    });
    expect(foreign.body.error.code).toBe('invalid_field_value');

    const env = await call<{ status: string; documents: { revisions: number }[] }>('GET', `/v1/envelopes/${created.body.id}`, { key });
    expect(env.body.status).toBe('sent');
    expect(env.body.documents[0]?.revisions).toBe(1); // only the send-time certification
  });
});
