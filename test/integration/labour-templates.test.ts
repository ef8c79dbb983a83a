import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureTemplate } from '../fixtures/fixtures.js';
import { call, createTenant, latestLinkToken, outboxDrained, uniqueEmail } from '../support/api.js';
import { type EnvelopeBody, signWith } from '../support/workflow.js';

/**
 * Labour contracts from a template and from a bulk CSV (issue 13): the template's
 * `labourContract` names merge fields; each envelope (each CSV row) gets its own terms,
 * validated like POST /v1/envelopes, and is registered once signed.
 */
type LabourEnvelope = EnvelopeBody & {
  nationalId?: string;
  labourContract?: { employee: { name: string; idNumber: string }; registration?: { status: string; nationalId?: string } };
};
interface BulkBody {
  id: string;
  status: string;
  total: number;
  done: number;
  failedCount: number;
  failed: { row: number; code?: string; reason?: string }[];
  envelopes?: { row: number; envelopeId?: string }[];
}

let key: string;
let templateId: string;
const employer = { name: 'Trần Thị Bình', email: uniqueEmail('nsdld') };

const labourContract = {
  employer: {
    name: '{{ten_cong_ty}}',
    taxCode: '{{mst}}',
    representative: '{{dai_dien}}',
    address: 'Số 1 Lê Lợi, Quận 1, TP. Hồ Chí Minh',
  },
  employee: { name: '{{ho_ten}}', idNumber: '{{cccd}}', dateOfBirth: '{{ngay_sinh}}', address: '{{dia_chi}}' },
  contractType: 'fixed-term',
  startDate: '{{tu_ngay}}',
  endDate: '{{den_ngay}}',
  jobTitle: '{{chuc_danh}}',
  workplace: '{{noi_lam_viec}}',
  salary: { amount: '{{luong}}', currency: 'VND' },
  parties: { employee: 0, employer: 1 },
};
const worker = (n: number, cccd = `0790950${String(n).padStart(5, '0')}`) => ({
  so_hop_dong: String(n).padStart(4, '0'),
  ngay_ky: '25/11/2026',
  dia_diem: 'TP. Hồ Chí Minh',
  ten_cong_ty: 'Công ty TNHH Thử Nghiệm',
  mst: '0312345678',
  dai_dien: 'Trần Thị Bình',
  ho_ten: `Nguyễn Văn Thợ ${n}`,
  ngay_sinh: '08/03/1995',
  cccd,
  dia_chi: `Số ${n} Nguyễn Trãi, Hà Nội`,
  tu_ngay: '01/12/2026',
  den_ngay: '30/11/2027',
  chuc_danh: 'Công nhân may',
  noi_lam_viec: 'Thủ Đức, TP. Hồ Chí Minh',
  luong: '9.500.000',
});

beforeAll(async () => {
  key = (await createTenant('Công ty TNHH Thử Nghiệm')).apiKey;
  // Rows are signed here without identity proofing (tested in labour-contracts.test.ts): the tenant opts out.
  expect((await call('PUT', '/v1/settings', { key, json: { labour: { identityRequired: false } } })).status).toBe(200);
  const r = await call<{ id: string; mergeFields: string[]; labourContract?: unknown }>('POST', '/v1/templates', {
    key,
    json: {
      name: 'Hợp đồng lao động',
      title: 'Hợp đồng lao động – {{ho_ten}}',
      html: fixtureTemplate('hop-dong-lao-dong.html'),
      roles: [
        { name: 'Người lao động', role: 'signer', order: 1 },
        { name: 'Công ty', role: 'signer', order: 2, recipient: employer },
      ],
      fields: [
        { recipient: 0, type: 'signature', anchor: 'NGƯỜI LAO ĐỘNG', offsetY: 4, width: 160, height: 44 },
        { recipient: 1, type: 'signature', anchor: 'NGƯỜI SỬ DỤNG LAO ĐỘNG', offsetY: 4, width: 160, height: 44 },
      ],
      labourContract,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.labourContract).toMatchObject({ employee: { idNumber: '{{cccd}}' } });
  templateId = r.body.id;
});

describe('labour contracts from a template', () => {
  it('refuses a template whose parties name a role that cannot be that party', async () => {
    const r = await call<{ error: { code: string; message: string } }>('POST', '/v1/templates', {
      key,
      json: {
        name: 'x',
        html: '<p>{{ho_ten}}</p><p>KÝ TÊN</p>',
        roles: [
          { name: 'Người xem', role: 'viewer', order: 1 },
          { name: 'Công ty', role: 'signer', order: 1, recipient: employer },
        ],
        fields: [{ recipient: 1, type: 'signature', anchor: 'KÝ TÊN', width: 120, height: 40 }],
        labourContract: { ...labourContract, parties: { employee: 0, employer: 1 } },
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_labour_contract' });
    expect(r.body.error.message).toContain('labourContract.parties.employee');
  });

  it('one envelope from the template is a labour contract with the merged terms, and is registered once signed', async () => {
    const email = uniqueEmail('nld');
    const r = await call<LabourEnvelope>('POST', `/v1/templates/${templateId}/envelopes`, {
      key,
      json: { recipients: [{ role: 'Người lao động', name: 'Nguyễn Văn Thợ 1', email }], values: worker(1), send: true },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.labourContract?.employee).toMatchObject({ name: 'Nguyễn Văn Thợ 1', idNumber: '079095000001' });
    expect(r.body.labourContract).toMatchObject({ startDate: '2026-12-01', endDate: '2027-11-30', salary: { amount: 9_500_000 } });
    expect((await signWith(await latestLinkToken(email), 'Nguyễn Văn Thợ 1')).status).toBe(200);
    expect((await signWith(await latestLinkToken(employer.email), 'Trần Thị Bình')).status).toBe(200);
    await outboxDrained();
    const until = Date.now() + 30_000;
    let e: LabourEnvelope;
    do {
      e = (await call<LabourEnvelope>('GET', `/v1/envelopes/${r.body.id}`, { key })).body;
      if (e.labourContract?.registration?.status === 'registered') break;
      await new Promise((res) => setTimeout(res, 200));
    } while (Date.now() < until);
    expect(e.labourContract?.registration?.status).toBe('registered');
    expect(e.nationalId).toMatch(/^HDLD-/);
  });

  it('a bulk CSV makes one labour contract per worker; a row with a bad CCCD fails alone, naming the field', async () => {
    // 30 rows here (about a second each on CI); 500 workers are measured by `npm run bench -- --labour-bulk 500`.
    const rows = Array.from({ length: 30 }, (_, i) => i + 1);
    const columns = Object.keys(worker(0));
    const header = ['nguoi_lao_dong_name', 'nguoi_lao_dong_email', ...columns].join(',');
    const lines = rows.map((n) => {
      const values = worker(n, n === 5 ? '07909500' : undefined) as Record<string, string>;
      return [`"Nguyễn Văn Thợ ${n}"`, uniqueEmail(`tho${n}`), ...columns.map((c) => `"${values[c]}"`)].join(',');
    });
    const started = await call<BulkBody>('POST', `/v1/bulk?templateId=${templateId}&send=false`, {
      key,
      body: `${header}\r\n${lines.join('\r\n')}\r\n`,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const deadline = Date.now() + 110_000;
    let job: BulkBody;
    do {
      job = (await call<BulkBody>('GET', `/v1/bulk/${started.body.id}?include=envelopes`, { key })).body;
      if (job.status === 'completed') break;
      await new Promise((res) => setTimeout(res, 500));
    } while (Date.now() < deadline);
    expect(job).toMatchObject({ status: 'completed', total: 30, done: 29, failedCount: 1 });
    expect(job.failed[0]).toMatchObject({ row: 5, code: 'invalid_labour_contract' });
    expect(job.failed[0]?.reason).toContain('labourContract.employee.idNumber');
    const made = await Promise.all(
      (job.envelopes ?? []).map(async (x) => (await call<LabourEnvelope>('GET', `/v1/envelopes/${x.envelopeId}`, { key })).body),
    );
    expect(made.map((e) => e.labourContract?.employee.idNumber).sort()).toEqual(
      rows.filter((n) => n !== 5).map((n) => `0790950${String(n).padStart(5, '0')}`),
    );
  });
});
