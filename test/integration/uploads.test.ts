import { createHash, randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, inject, it } from 'vitest';
import { call, createTenant } from '../support/api.js';

/**
 * A valid PDF of about `mb` megabytes: its page carries a second content stream that is one long
 * comment of random text (an attachment would be refused as active content, as it should be).
 */
const bigPdf = async (mb: number): Promise<Uint8Array> => {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText('Phu luc hop dong (large annex)', { x: 60, y: 780, size: 14, font });
  const filler = doc.context.stream(`% ${randomBytes(Math.ceil((mb * 1024 * 1024 * 3) / 4)).toString('base64')}\n`);
  page.node.addContentStream(doc.context.register(filler));
  return doc.save({ useObjectStreams: false });
};

describe('large PDFs through presigned S3 URLs', () => {
  it('uploads a 6 MB PDF straight to S3, creates an envelope from it, and hands out a presigned download', async () => {
    const key = inject('devApiKey');
    const pdf = await bigPdf(6);
    expect(pdf.length).toBeGreaterThan(6 * 1024 * 1024); // over the 4 MB request-body limit and Lambda's 6 MB

    const slot = await call<{ uploadId: string; url: string; method: string; headers: Record<string, string> }>('POST', '/v1/uploads', {
      key,
      json: { size: pdf.length },
    });
    expect(slot.status).toBe(201);
    expect(slot.body.method).toBe('PUT');
    const put = await fetch(slot.body.url, { method: 'PUT', headers: slot.body.headers, body: pdf as Uint8Array<ArrayBuffer> });
    expect(put.status).toBe(200);

    const created = await call<{ id: string; documents: { id: string; sha256: string }[] }>('POST', '/v1/envelopes', {
      key,
      json: {
        title: 'Hợp đồng kèm phụ lục lớn',
        documents: [{ name: 'phu-luc.pdf', uploadId: slot.body.uploadId }],
        recipients: [{ name: 'Quách Văn Tuấn', email: 'tuan.big@example.vn', order: 1 }],
        fields: [{ recipient: 0, document: 0, type: 'signature', page: 1, x: 72, y: 650, width: 180, height: 60 }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.documents[0]?.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));

    const link = await call<{ url: string; sha256: string }>(
      'GET',
      `/v1/envelopes/${created.body.id}/documents/${created.body.documents[0]?.id}/url`,
      { key },
    );
    expect(link.status).toBe(200);
    const download = new Uint8Array(await (await fetch(link.body.url)).arrayBuffer());
    expect(createHash('sha256').update(download).digest('hex')).toBe(link.body.sha256);

    // Another tenant cannot use this upload id: keys are per tenant.
    const other = await createTenant('Công ty Khác');
    const stolen = await call<{ error: { code: string } }>('POST', '/v1/envelopes', {
      key: other.apiKey,
      json: {
        title: 'x',
        documents: [{ name: 'x.pdf', uploadId: slot.body.uploadId }],
        recipients: [{ name: 'X', email: 'x@example.vn', order: 1 }],
        fields: [{ recipient: 0, document: 0, type: 'signature', page: 1, x: 72, y: 650, width: 180, height: 60 }],
      },
    });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('validation_failed');
  });

  it('refuses an upload slot larger than the configured limit', async () => {
    const r = await call<{ error: { code: string } }>('POST', '/v1/uploads', {
      key: inject('devApiKey'),
      json: { size: 500 * 1024 * 1024 },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
  });
});
