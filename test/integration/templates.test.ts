import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { fixtureTemplate } from '../fixtures/fixtures.js';
import { call, fixture, latestLinkToken, mailsTo, uniqueEmail } from '../support/api.js';
import { runPdfsig, withTempDir } from '../support/validators.js';

const html = fixtureTemplate;
const pdftotext = (pdf: Uint8Array) =>
  withTempDir((dir) => {
    const file = join(dir, 'doc.pdf');
    execFileSync('sh', ['-c', 'cat > "$0"', file], { input: pdf });
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  });

interface TemplateBody {
  id: string;
  type: string;
  mergeFields: string[];
  roles: { name: string; key: string }[];
}
interface EnvelopeBody {
  id: string;
  title: string;
  status: string;
  recipients: { email: string; status: string }[];
  documents: { id: string }[];
  fields: { page: number; x: number; y: number }[];
}

const CASES = [
  {
    file: 'hop-dong-lao-dong.html',
    roles: [
      { name: 'Người lao động', role: 'signer', order: 1 },
      { name: 'Công ty', role: 'signer', order: 2 },
    ],
    anchors: ['NGƯỜI LAO ĐỘNG', 'NGƯỜI SỬ DỤNG LAO ĐỘNG'],
    values: {
      so_hop_dong: '0042',
      ngay_ky: '25/11/2026',
      dia_diem: 'Hà Nội',
      ten_cong_ty: 'Công ty TNHH Thử Nghiệm',
      mst: '0101234567',
      dai_dien: 'Trần Thị Bích Ngọc',
      ho_ten: 'Nguyễn Văn An',
      ngay_sinh: '08/03/1995',
      cccd: '001095012345',
      dia_chi: 'Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội',
      tu_ngay: '01/12/2026',
      den_ngay: '30/11/2027',
      chuc_danh: 'Kỹ sư phần mềm',
      noi_lam_viec: 'Cầu Giấy, Hà Nội',
      luong: '25.000.000',
    },
    expectText: ['HỢP ĐỒNG LAO ĐỘNG', 'Bên B (Người lao động): Nguyễn Văn An', 'Mức lương chính: 25.000.000 đồng/tháng'],
  },
  {
    file: 'hop-dong-dien.html',
    roles: [
      { name: 'Bên mua điện', role: 'signer', order: 1 },
      { name: 'Bên bán điện', role: 'signer', order: 2 },
    ],
    anchors: ['BÊN MUA ĐIỆN', 'BÊN BÁN ĐIỆN'],
    values: { ma_kh: 'PD0123456', so_cong_to: '19283746', ho_ten: 'Lê Văn Cường', dia_chi: '12 Lý Thường Kiệt, Huế', cong_suat: 5 },
    expectText: ['HỢP ĐỒNG MUA BÁN ĐIỆN', 'Bên mua điện: Lê Văn Cường, địa chỉ sử dụng điện: 12 Lý Thường Kiệt, Huế.'],
  },
] as const;

describe.each(CASES)('template from $file', (tc) => {
  it('creates the template, an envelope from it, and both signers sign through their email links; pdfsig validates', async () => {
    const key = inject('devApiKey');
    const created = await call<TemplateBody>('POST', '/v1/templates', {
      key,
      json: {
        name: tc.file.replace('.html', ''),
        title: 'Hợp đồng – {{ho_ten}}',
        html: html(tc.file),
        roles: tc.roles,
        fields: tc.anchors.map((anchor, i) => ({ recipient: i, type: 'signature', anchor, offsetY: 4, width: 160, height: 44 })),
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.type).toBe('html');
    expect([...created.body.mergeFields].sort()).toEqual(Object.keys(tc.values).sort());

    // every missing value is listed at once
    const missing = await call<{ error: { code: string; details: { missing: string[] } } }>(
      'POST',
      `/v1/templates/${created.body.id}/envelopes`,
      {
        key,
        json: { recipients: [], values: { ho_ten: 'X' } },
      },
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('missing_merge_values');
    expect(missing.body.error.details.missing).toHaveLength(Object.keys(tc.values).length - 1);

    const a = { name: 'Nguyễn Văn An', email: uniqueEmail('an') };
    const b = { name: 'Trần Thị Bích Ngọc', email: uniqueEmail('hr') };
    const env = await call<EnvelopeBody>('POST', `/v1/templates/${created.body.id}/envelopes`, {
      key,
      json: { recipients: [a, b], values: tc.values, send: true },
    });
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    expect(env.body.status).toBe('sent');
    expect(env.body.title).toBe(`Hợp đồng – ${tc.values.ho_ten}`);

    const first = await call<Uint8Array>('GET', `/v1/envelopes/${env.body.id}/documents/${env.body.documents[0]?.id}`, { key });
    const text = pdftotext(first.body);
    for (const s of tc.expectText) expect(text).toContain(s);
    expect(text).not.toContain('{{');

    for (const s of [a, b]) {
      const token = await latestLinkToken(s.email);
      const signed = await call('POST', `/v1/sign/${token}`, { json: { signature: { type: 'typed', value: s.name } } });
      expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    }
    const final = await call<EnvelopeBody>('GET', `/v1/envelopes/${env.body.id}`, { key });
    expect(final.body.status).toBe('completed');
    const pdf = await call<Uint8Array>('GET', `/v1/envelopes/${env.body.id}/documents/${env.body.documents[0]?.id}`, { key });
    const root = (await call<string>('GET', '/pki/root.pem')).body;
    const sig = runPdfsig(pdf.body, [root]);
    const approvals = sig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(
      approvals.map((s) => s.signerName).slice(-2), // after the platform's send-time certification signature
      sig.output,
    ).toEqual([a.name, b.name]);
    for (const s of approvals) {
      expect(s.valid, s.raw).toBe(true);
      expect(s.trusted, s.raw).toBe(true);
    }
  });
});

describe('templates API', () => {
  it('reports unknown merge fields and missing anchors at creation, lists, gets and deletes templates', async () => {
    const key = inject('devApiKey');
    const base = {
      name: 'Điện',
      html: html('hop-dong-dien.html'),
      roles: [{ name: 'Khách hàng' }],
      fields: [{ recipient: 0, type: 'signature', anchor: 'BÊN MUA ĐIỆN', width: 160, height: 44 }],
    };
    const unknown = await call<{ error: { code: string; details: { unknown: string[] } } }>('POST', '/v1/templates', {
      key,
      json: { ...base, mergeFields: ['ma_kh', 'so_cong_to', 'ho_ten', 'dia_chi'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_merge_field', details: { unknown: ['cong_suat'] } });
    const noAnchor = await call<{ error: { code: string } }>('POST', '/v1/templates', {
      key,
      json: { ...base, fields: [{ ...base.fields[0], anchor: 'BÊN THUÊ' }] },
    });
    expect(noAnchor.status).toBe(400);
    expect(noAnchor.body.error.code).toBe('anchor_not_found');

    const ok = await call<TemplateBody>('POST', '/v1/templates', { key, json: base });
    expect(ok.status).toBe(201);
    expect(ok.body.roles[0]?.key).toBe('khach_hang');
    const list = await call<{ items: { id: string }[] }>('GET', '/v1/templates?limit=100', { key });
    expect(list.body.items.map((t) => t.id)).toContain(ok.body.id);
    const one = await call<{ html: string }>('GET', `/v1/templates/${ok.body.id}`, { key });
    expect(one.body.html).toContain('{{ho_ten}}');
    expect((await call('DELETE', `/v1/templates/${ok.body.id}`, { key })).status).toBe(204);
    const gone = await call<{ error: { code: string } }>('GET', `/v1/templates/${ok.body.id}`, { key });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('template_not_found');
    expect((await call('GET', '/v1/templates')).status).toBe(401);
    const spec = await call<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    for (const p of ['/v1/templates', '/v1/templates/{id}', '/v1/templates/{id}/envelopes', '/v1/bulk', '/v1/bulk/{id}']) {
      expect(Object.keys(spec.body.paths)).toContain(p);
    }
  });

  it('accepts a PDF template as multipart, with fields at coordinates, and keeps tenants apart', async () => {
    const key = inject('devApiKey');
    const form = new FormData();
    form.set(
      'metadata',
      JSON.stringify({
        name: 'HĐ điện (PDF)',
        title: 'Hợp đồng điện {{ma_kh}}',
        roles: [{ name: 'Khách hàng' }],
        fields: [{ recipient: 0, type: 'signature', page: 1, x: 72, y: 650, width: 180, height: 60 }],
      }),
    );
    form.set('document', new Blob([fixture('hop-dong-dien.pdf') as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }), 'hd.pdf');
    const t = await call<TemplateBody & { pageCount: number }>('POST', '/v1/templates', { key, body: form });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    expect(t.body).toMatchObject({ type: 'pdf', mergeFields: ['ma_kh'] });
    const email = uniqueEmail('kh');
    const env = await call<EnvelopeBody>('POST', `/v1/templates/${t.body.id}/envelopes`, {
      key,
      json: { recipients: [{ role: 'Khách hàng', name: 'Phạm Thị Dung', email }], values: { ma_kh: 'PD77' }, send: true },
    });
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    expect(env.body.title).toBe('Hợp đồng điện PD77');
    expect(await mailsTo(email)).toHaveLength(1);

    const other = await call<{ tenant: { id: string }; apiKey: string }>('POST', '/admin/tenants', {
      key: inject('adminKey'),
      json: { name: 'Khác' },
    });
    const foreign = await call('GET', `/v1/templates/${t.body.id}`, { key: other.body.apiKey });
    expect(foreign.status).toBe(404);
  });
});
