import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as asn1js from 'asn1js';
import { describe, expect, inject, it } from 'vitest';
import { OID } from '../../shared/pki/oids.js';
import { call, envelopeJson, fixture, latestLinkToken, mailsTo, outboxDrained, uniqueEmail, VALID_FIXTURES } from '../support/api.js';
import { extractSignatures, parseSignedData } from '../support/pdf-inspect.js';
import { qpdfCheck, runPdfsig, withTempDir } from '../support/validators.js';

interface EnvelopeBody {
  id: string;
  status: string;
  recipients: { id: string; email: string; status: string; order: number }[];
  documents: { id: string; sha256: string; originalSha256: string }[];
  fields: { id: string; recipientId: string; type: string }[];
}

let rootPemCache = '';
const rootPem = async () => {
  rootPemCache = (await call<string>('GET', '/pki/root.pem')).body;
  return rootPemCache;
};

describe.each(VALID_FIXTURES)('the whole signing flow on %s', (name) => {
  it('creates, sends, emails each signer in order, signs twice, and completes with two valid trusted signatures', async () => {
    const key = inject('devApiKey');
    const an = { name: 'Nguyễn Văn An', email: uniqueEmail('an') };
    const hr = { name: 'Trần Thị Bích Ngọc', email: uniqueEmail('hr') };
    const create = await call<EnvelopeBody>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({
        pdf: fixture(name),
        signers: [an, hr],
        extraFields: [
          { recipient: 0, document: 0, type: 'text', page: 1, x: 60, y: 560, width: 200, height: 20, label: 'Số CCCD' },
          { recipient: 0, document: 0, type: 'date', page: 1, x: 300, y: 560, width: 120, height: 20, label: 'Ngày sinh' },
          { recipient: 0, document: 0, type: 'checkbox', page: 1, x: 440, y: 560, width: 16, height: 16, required: false },
        ],
      }),
    });
    expect(create.status).toBe(201);
    expect(create.body.status).toBe('draft');
    const id = create.body.id;

    const send = await call<EnvelopeBody>('POST', `/v1/envelopes/${id}/send`, { key });
    expect(send.status).toBe(200);
    expect(send.body.status).toBe('sent');
    // Sequential: only the first signer is emailed now.
    expect(await mailsTo(an.email)).toHaveLength(1);
    expect(await mailsTo(hr.email)).toHaveLength(0);

    const tokenAn = await latestLinkToken(an.email);
    const page = await call<string>('GET', `/s/${tokenAn}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('lang="vi"');
    expect(page.body).toContain('"sign":"Ký"');
    expect(page.body).toContain('width=device-width');

    const view = await call<{ fields: { id: string; type: string }[]; documents: { id: string }[] }>('GET', `/v1/sign/${tokenAn}`);
    expect(view.status).toBe(200);
    const byType = (t: string) => view.body.fields.find((f) => f.type === t)?.id as string;
    const pdfForSigner = await call<Uint8Array>('GET', `/v1/sign/${tokenAn}/documents/${view.body.documents[0]?.id}`);
    expect(pdfForSigner.headers.get('content-type')).toBe('application/pdf');

    const signAn = await call('POST', `/v1/sign/${tokenAn}`, {
      json: {
        fields: { [byType('text')]: '001099012345', [byType('date')]: '1995-03-08', [byType('checkbox')]: true },
        signature: { type: 'typed', value: an.name },
      },
    });
    expect(signAn.status).toBe(200);
    expect(signAn.headers.get('server-timing')).toMatch(/kms;dur=/);
    // Answered at the commit, the event appended right after: a read of the trail at once, without
    // waiting for the outbox, has it (readers in the process wait for its appends under way).
    const trailNow = await call<{ events: { action: string }[] }>('GET', `/v1/envelopes/${id}/audit`, { key });
    expect(trailNow.body.events.map((e) => e.action)).toContain('recipient.signed');
    expect(await mailsTo(hr.email)).toHaveLength(1);

    const tokenHr = await latestLinkToken(hr.email);
    const signHr = await call('POST', `/v1/sign/${tokenHr}`, { json: { signature: { type: 'typed', value: hr.name } } });
    expect(signHr.status).toBe(200);

    const final = await call<EnvelopeBody>('GET', `/v1/envelopes/${id}`, { key });
    expect(final.body.status).toBe('completed');
    expect(final.body.recipients.map((r) => r.status)).toEqual(['signed', 'signed']);
    const doc = final.body.documents[0];
    expect(doc?.sha256).not.toBe(doc?.originalSha256);

    const pdf = await call<Uint8Array>('GET', `/v1/envelopes/${id}/documents/${doc?.id}`, { key });
    expect(pdf.status).toBe(200);
    // Earlier bytes untouched: the original is a prefix of every revision.
    const original = fixture(name);
    expect(Buffer.from(pdf.body.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);

    const sig = runPdfsig(pdf.body, [await rootPem()]);
    // the sender's certification at send (DocMDP P=2), two approval signatures (B-T), then the
    // document timestamp added at completion (B-LTA). poppler 22.12 lists a document timestamp
    // with type "unknown" and does not check it; openssl does, in the unit tests.
    expect(
      sig.signatures.map((s) => s.subFilter),
      sig.output,
    ).toEqual(['ETSI.CAdES.detached', 'ETSI.CAdES.detached', 'ETSI.CAdES.detached', 'unknown']);
    for (const s of sig.signatures.slice(0, 3)) {
      expect(s.valid, s.raw).toBe(true);
      expect(s.trusted, s.raw).toBe(true);
    }
    expect(sig.signatures.slice(1, 3).map((s) => s.signerName)).toEqual([an.name, hr.name]);
    const sigs = extractSignatures(pdf.body);
    expect(sigs.map((s) => s.subFilter)).toEqual(['ETSI.CAdES.detached', 'ETSI.CAdES.detached', 'ETSI.CAdES.detached', 'ETSI.RFC3161']);
    expect(sigs[0]?.dict).toMatch(/\/TransformMethod \/DocMDP/);
    // B-T: every CAdES signature carries a signature-time-stamp
    for (const s of sigs.slice(0, 3)) {
      expect(parseSignedData(s.cms).signerInfos[0]?.unsignedAttrs?.attributes.map((a) => a.type)).toEqual([OID.signatureTimeStamp]);
    }
    expect(Buffer.from(pdf.body).toString('latin1')).toMatch(/\/DSS \d+ 0 R/);
    const q = qpdfCheck(pdf.body);
    expect(q.ok, q.output).toBe(true);

    // The audit head is signed by the worker (an owed effect of the completing commit).
    expect((await outboxDrained({ envelopeId: id })).owed).toBe(0);
    const audit = await call<{ events: { seq: number; action: string }[] }>('GET', `/v1/envelopes/${id}/audit`, { key });
    expect(audit.body.events.map((e) => e.action)).toEqual([
      'envelope.created',
      'envelope.sent',
      'recipient.notified',
      'recipient.viewed',
      'recipient.signed',
      'recipient.notified',
      'recipient.signed',
      'envelope.completed',
      'audit.head_signed',
      'envelope.archived',
    ]);
    expect(audit.body.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    // Completed: everyone is told.
    expect((await mailsTo(an.email)).some((m) => m.subject.startsWith('Đã hoàn tất'))).toBe(true);
  });
});

describe('multipart upload', () => {
  it('accepts multipart/form-data with a metadata part and a PDF file part', async () => {
    const key = inject('devApiKey');
    const form = new FormData();
    form.set(
      'metadata',
      JSON.stringify({
        title: 'Hợp đồng mua bán điện',
        recipients: [{ name: 'Lê Văn Cường', email: uniqueEmail('cuong'), order: 1 }],
        fields: [{ recipient: 0, document: 0, type: 'signature', page: 1, x: 72, y: 650, width: 180, height: 60 }],
      }),
    );
    form.append(
      'documents',
      new Blob([fixture('hop-dong-dien.pdf') as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }),
      'hop-dong-dien.pdf',
    );
    const r = await call<EnvelopeBody & { documents: { name: string }[] }>('POST', '/v1/envelopes', { key, body: form });
    expect(r.status).toBe(201);
    expect(r.body.documents[0]?.name).toBe('hop-dong-dien.pdf');
  });
});

describe('service basics', () => {
  it('answers /health, serves /openapi.json describing the API, and the platform root', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    const spec = await call<{ openapi: string; paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(spec.body.openapi).toBe('3.1.0');
    for (const p of ['/v1/envelopes', '/v1/envelopes/{id}/send', '/v1/sign/{token}', '/pki/root.pem', '/v1/verify']) {
      expect(Object.keys(spec.body.paths)).toContain(p);
    }
    expect(await rootPem()).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});

describe('five signers with initials on every page', () => {
  it('certifies, stamps initials, signs five times with B-T, ends B-LTA; every timestamp verifies in openssl', async () => {
    const key = inject('devApiKey');
    const names = ['Nguyễn Văn An', 'Trần Thị Bích Ngọc', 'Lê Hoàng Phúc', 'Phạm Thị Hồng Nhung', 'Đỗ Quang Vinh'];
    const signers = names.map((n) => ({ name: n, email: uniqueEmail('five') }));
    const body = envelopeJson({
      pdf: fixture('hop-dong-lao-dong.pdf'),
      signers,
      extraFields: signers.flatMap((_, i) =>
        [1, 2].map((page) => ({ recipient: i, document: 0, type: 'initials', page, x: 40 + i * 60, y: 780, width: 50, height: 20 })),
      ),
    });
    const created = await call<EnvelopeBody>('POST', '/v1/envelopes', { key, json: body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });
    for (const s of signers) {
      const r = await call('POST', `/v1/sign/${await latestLinkToken(s.email)}`, { json: { signature: { type: 'typed', value: s.name } } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    const final = await call<EnvelopeBody>('GET', `/v1/envelopes/${created.body.id}`, { key });
    expect(final.body.status).toBe('completed');
    const pdf = (await call<Uint8Array>('GET', `/v1/envelopes/${created.body.id}/documents/${final.body.documents[0]?.id}`, { key })).body;

    const sig = runPdfsig(pdf, [await rootPem()]);
    const approvals = sig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(approvals, sig.output).toHaveLength(6); // certification + five signers
    for (const s of approvals) expect(s.valid && s.trusted, s.raw).toBe(true);
    expect(qpdfCheck(pdf).ok).toBe(true);

    const text = Buffer.from(pdf).toString('latin1');
    // initials stamped: NVA for Nguyễn Văn An, as a UTF-16 field value
    expect(text).toContain(`/V <FEFF${Buffer.from('NVA', 'utf16le').swap16().toString('hex').toUpperCase()}>`);

    const sigs = extractSignatures(pdf);
    withTempDir((dir) => {
      const root = join(dir, 'root.pem');
      writeFileSync(root, rootPemCache);
      for (const [i, s] of sigs.entries()) {
        const [a, b, c, d] = s.byteRange as [number, number, number, number];
        if (s.subFilter === 'ETSI.RFC3161') {
          writeFileSync(join(dir, 'doc.tst'), s.cms);
          writeFileSync(join(dir, 'covered'), Buffer.concat([pdf.subarray(a, b), pdf.subarray(c, c + d)]));
          expect(
            execFileSync('openssl', ['ts', '-verify', '-token_in', '-in', 'doc.tst', '-data', 'covered', '-CAfile', root], {
              cwd: dir,
              encoding: 'utf8',
            }),
          ).toContain('Verification: OK');
          continue;
        }
        const si = parseSignedData(s.cms).signerInfos[0];
        const attr = si?.unsignedAttrs?.attributes.find((x) => x.type === OID.signatureTimeStamp);
        const token = attr?.values[0] as asn1js.BaseBlock | undefined;
        if (!token) throw new Error(`signature ${i} has no signature-time-stamp`);
        writeFileSync(join(dir, `s${i}.tst`), new Uint8Array(token.toBER(false)));
        const digest = createHash('sha256')
          .update(si?.signature.valueBlock.valueHexView ?? new Uint8Array())
          .digest('hex');
        expect(
          execFileSync('openssl', ['ts', '-verify', '-token_in', '-in', `s${i}.tst`, '-digest', digest, '-CAfile', root], {
            cwd: dir,
            encoding: 'utf8',
          }),
        ).toContain('Verification: OK');
      }
    });
  });
});
