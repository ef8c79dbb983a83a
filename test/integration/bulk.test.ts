import { describe, expect, inject, it } from 'vitest';
import { dynamoBulkJobRepository } from '../../functions/aws/dynamo-templates.js';
import { fixtureTemplate } from '../fixtures/fixtures.js';
import { call, mailsTo, outboxDrained } from '../support/api.js';
import { localDynamo, TEST_TABLE } from '../support/aws.js';

const html = fixtureTemplate('hop-dong-dien.html');

interface BulkBody {
  id: string;
  status: 'running' | 'completed';
  total: number;
  done: number;
  failedCount: number;
  ignoredColumns: string[];
  failed: { row: number; line: number; code: string; reason: string }[];
  envelopes?: { row: number; envelopeId: string }[];
}

const createTemplate = async (key: string) => {
  const r = await call<{ id: string }>('POST', '/v1/templates', {
    key,
    json: {
      name: 'Hợp đồng mua bán điện',
      title: 'Hợp đồng mua bán điện – {{ho_ten}}',
      html,
      roles: [
        { name: 'Khách hàng', role: 'signer', order: 1 },
        { name: 'Điện lực', role: 'signer', order: 2, recipient: { name: 'Điện lực Thử Nghiệm', email: 'hopdong@dien.example.vn' } },
      ],
      fields: [
        { recipient: 0, type: 'signature', anchor: 'BÊN MUA ĐIỆN', width: 160, height: 44 },
        { recipient: 1, type: 'signature', anchor: 'BÊN BÁN ĐIỆN', width: 160, height: 44 },
      ],
    },
  });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body.id;
};

const waitForJob = async (key: string, id: string, query = ''): Promise<BulkBody> => {
  const deadline = Date.now() + 110_000;
  for (;;) {
    const r = await call<BulkBody>('GET', `/v1/bulk/${id}${query}`, { key });
    if (r.status !== 200) throw new Error(JSON.stringify(r.body));
    if (r.body.status === 'completed' || Date.now() > deadline) return r.body;
    await new Promise((res) => setTimeout(res, 500));
  }
};

const tag = () => Math.random().toString(36).slice(2, 8);

describe('bulk send', () => {
  it('sends 30 rows of a UTF-8 CSV with a BOM and quoted fields; 2 bad rows are reported, 28 envelopes go out', async () => {
    const key = inject('devApiKey');
    const templateId = await createTemplate(key);
    const t = tag();
    const header = 'khach_hang_name,khach_hang_email,ho_ten,ma_kh,so_cong_to,dia_chi,cong_suat,ghi_chu';
    const lines = Array.from({ length: 30 }, (_, i) => {
      const n = i + 1;
      const email = n === 7 ? '' : n === 19 ? 'không-phải-email' : `kh${n}.${t}@example.vn`;
      // row 12's address spans two lines inside quotes; commas inside quotes everywhere
      const address = n === 12 ? '"Số 12, ngõ 4\nphường Vĩnh Ninh, Huế"' : `"Số ${n}, Lê Lợi, Huế"`;
      return `"Nguyễn Thị ${n}",${email},"Nguyễn Thị ${n}",PD${t}${n},${100000 + n},${address},5,"ghi chú ""${n}"""`;
    });
    const csv = `\uFEFF${header}\r\n${lines.join('\r\n')}\r\n`;
    const started = await call<BulkBody>('POST', `/v1/bulk?templateId=${templateId}`, {
      key,
      body: csv,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.headers.get('location')).toBe(`/v1/bulk/${started.body.id}`);
    expect(started.body).toMatchObject({ total: 30, done: 0, ignoredColumns: ['ghi_chu'] });

    const job = await waitForJob(key, started.body.id, '?include=envelopes');
    expect(job).toMatchObject({ status: 'completed', total: 30, done: 28, failedCount: 2 });
    expect(job.failed.map((f) => f.row).sort((a, b) => a - b)).toEqual([7, 19]);
    const byRow = Object.fromEntries(job.failed.map((f) => [f.row, f]));
    expect(byRow[7]?.reason).toContain('khach_hang_email is empty');
    expect(byRow[19]?.reason).toContain('is not an email address');
    // row 19 starts on line 21: the header is line 1 and row 12 spans two lines
    expect(byRow[19]?.line).toBe(21);
    expect(job.envelopes).toHaveLength(28);

    const row12 = job.envelopes?.find((e) => e.row === 12);
    const env = await call<{ title: string; status: string; recipients: { email: string }[] }>(
      'GET',
      `/v1/envelopes/${row12?.envelopeId}`,
      { key },
    );
    expect(env.body).toMatchObject({ title: 'Hợp đồng mua bán điện – Nguyễn Thị 12', status: 'sent' });
    expect(env.body.recipients.map((r) => r.email)).toEqual([`kh12.${t}@example.vn`, 'hopdong@dien.example.vn']);
    expect(await mailsTo(`kh12.${t}@example.vn`)).toHaveLength(1);
    // Created and sent in one write: both events head the trail, chained from its start, then the invitation's.
    expect((await outboxDrained({ envelopeId: row12?.envelopeId })).owed).toBe(0);
    const trail = await call<{ events: { seq: number; action: string }[] }>('GET', `/v1/envelopes/${row12?.envelopeId}/audit`, { key });
    expect(trail.body.events.slice(0, 2)).toMatchObject([
      { seq: 1, action: 'envelope.created' },
      { seq: 2, action: 'envelope.sent' },
    ]);
    expect(trail.body.events.map((e) => e.action)).toContain('recipient.notified');
    const verified = await call<{ ok: boolean; chain: { ok: boolean } }>('GET', `/v1/envelopes/${row12?.envelopeId}/audit/verify`, { key });
    expect(verified.body).toMatchObject({ ok: true, chain: { ok: true } });
  });

  it('takes multipart too, and refuses a CSV that lacks columns or is not UTF-8 before queueing anything', async () => {
    const key = inject('devApiKey');
    const templateId = await createTemplate(key);
    const t = tag();
    const form = new FormData();
    form.set('templateId', templateId);
    form.set('send', 'false');
    form.set(
      'csv',
      new Blob(
        [`khach_hang_name;khach_hang_email;ho_ten;ma_kh;so_cong_to;dia_chi;cong_suat\nA;a.${t}@example.vn;Ánh;PD1;1;"Huế; Việt Nam";3\n`],
        { type: 'text/csv' },
      ),
      'khach-hang.csv',
    );
    const started = await call<BulkBody>('POST', '/v1/bulk', { key, body: form });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const job = await waitForJob(key, started.body.id, '?include=envelopes');
    expect(job).toMatchObject({ status: 'completed', done: 1, failed: [] });
    const env = await call<{ status: string }>('GET', `/v1/envelopes/${job.envelopes?.[0]?.envelopeId}`, { key });
    expect(env.body.status).toBe('draft');

    const missing = await call<{ error: { code: string; details: { missingColumns: string[] } } }>(
      'POST',
      `/v1/bulk?templateId=${templateId}`,
      {
        key,
        body: 'khach_hang_email,ho_ten\na@x.vn,A\n',
        headers: { 'content-type': 'text/csv' },
      },
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.missingColumns).toEqual(['ma_kh', 'so_cong_to', 'dia_chi', 'cong_suat', 'khach_hang_name']);

    const latin1 = await call<{ error: { message: string } }>('POST', `/v1/bulk?templateId=${templateId}`, {
      key,
      body: new Uint8Array(Buffer.from('ho_ten\nNguy\xean\n', 'latin1')),
      headers: { 'content-type': 'text/csv' },
    });
    expect(latin1.status).toBe(400);
    expect(latin1.body.error.message).toContain('UTF-8');

    expect((await call('GET', '/v1/bulk/nope', { key })).status).toBe(404);
    expect((await call('POST', '/v1/bulk?templateId=nope', { key, body: 'a\n1\n', headers: { 'content-type': 'text/csv' } })).status).toBe(
      404,
    );
  });
});

describe('bulk row outcomes in DynamoDB', () => {
  const repository = () => dynamoBulkJobRepository({ client: localDynamo(), tableName: TEST_TABLE });

  it('records a chunk’s outcomes in one write, and one by one, keeping what stands, when a concurrent delivery recorded some first', async () => {
    const bulkJobs = repository();
    const jobId = `rows-${tag()}`;
    const outcome = (row: number, status: 'done' | 'failed' = 'done') =>
      status === 'done' ? { row, line: row + 1, status, envelopeId: `env-${row}` } : { row, line: row + 1, status, code: 'x', reason: 'y' };
    expect(await bulkJobs.recordRows('t-rows', jobId, [outcome(1), outcome(2), outcome(3)])).toEqual([outcome(1), outcome(2), outcome(3)]);
    // Rows 3 and 4 again, row 3 now "failed": the first outcome of row 3 stands, row 4 is new.
    expect(await bulkJobs.recordRows('t-rows', jobId, [outcome(3, 'failed'), outcome(4)])).toEqual([outcome(3), outcome(4)]);
    const stored = await bulkJobs.getRows('t-rows', jobId, [1, 2, 3, 4]);
    expect([...stored.values()].map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
  });
});
