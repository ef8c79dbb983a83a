import { describe, expect, it } from 'vitest';
import { planBulkRows } from '../../../shared/bulk/plan-rows.js';
import { type BulkRunDeps, bulkEnvelopeId, runBulkChunk } from '../../../shared/bulk/run-bulk-chunk.js';
import { startBulkJob } from '../../../shared/bulk/start-bulk-job.js';
import type { BulkJob, BulkJobRepository, BulkRowResult } from '../../../shared/bulk/types.js';
import type { Envelope } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';
import { createEnvelopeFromTemplate } from '../../../shared/templates/create-from-template.js';
import { type CreateTemplateInput, createTemplate } from '../../../shared/templates/create-template.js';
import type { Template, TemplateRepository } from '../../../shared/templates/types.js';
import { fixtureTemplate } from '../../fixtures/fixtures.js';

const html = fixtureTemplate;

/** In-memory adapters: the domain rules are what is under test here (DynamoDB is in the integration tests). */
const memoryDeps = () => {
  const envelopes = new Map<string, Envelope>();
  const templates = new Map<string, Template>();
  const docs = new Map<string, Uint8Array>();
  const jobs = new Map<string, BulkJob>();
  const rows = new Map<string, BulkRowResult>();
  const tries = new Map<string, number>();
  const doneRows = new Set<string>();
  const failedRows = new Set<string>();
  const templateRepo: TemplateRepository = {
    create: async (t) => void templates.set(t.id, t),
    get: async (_, id) => templates.get(id),
    list: async () => ({ items: [...templates.values()] }),
    delete: async (_, id) => templates.delete(id),
  };
  const bulkJobs: BulkJobRepository = {
    create: async (j) => void jobs.set(j.id, j),
    get: async (_, id) => jobs.get(id),
    getRows: async (_, id, wanted) =>
      new Map(wanted.flatMap((n) => (rows.has(`${id}/${n}`) ? [[n, rows.get(`${id}/${n}`) as BulkRowResult] as const] : []))),
    recordRow: async (_, id, r) => {
      if (!rows.has(`${id}/${r.row}`)) rows.set(`${id}/${r.row}`, r);
      return rows.get(`${id}/${r.row}`) as BulkRowResult;
    },
    recordRows: async (t, id, rs) => Promise.all(rs.map((r) => bulkJobs.recordRow(t, id, r))),
    // The totals are sets of row numbers, as in DynamoDB: counting a row twice changes nothing.
    countRows: async (_, id, results) => {
      for (const r of results) (r.status === 'done' ? doneRows : failedRows).add(`${id}/${r.row}`);
      const j = jobs.get(id) as BulkJob;
      const count = (set: Set<string>) => [...set].filter((k) => k.startsWith(`${id}/`)).length;
      jobs.set(id, { ...j, done: count(doneRows), failed: count(failedRows) });
    },
    listRows: async (_, id) => [...rows.entries()].filter(([k]) => k.startsWith(`${id}/`)).map(([, v]) => v),
    countFailedAttempt: async (_, id, row) => {
      const n = (tries.get(`${id}/${row}`) ?? 0) + 1;
      tries.set(`${id}/${row}`, n);
      return n;
    },
  };
  const deps = {
    envelopes: {
      create: async (e: Envelope) => {
        if (envelopes.has(e.id)) throw new AppError('conflict', 'Envelope already exists.');
        envelopes.set(e.id, e);
      },
      get: async (_: string, id: string) => envelopes.get(id),
      update: async (e: Envelope) => void envelopes.set(e.id, e),
      list: async () => ({ items: [...envelopes.values()] }),
    },
    documents: { put: async (k: string, b: Uint8Array) => void docs.set(k, b), get: async (k: string) => docs.get(k) as Uint8Array },
    audit: { append: async () => ({}) as never, list: async () => [] },
    tokens: { put: async () => {}, get: async () => undefined, delete: async () => {} },
    tenants: { create: async () => {}, get: async () => undefined, putApiKey: async () => {}, findApiKey: async () => undefined },
    mailer: { send: async () => {} },
    clock: { now: () => new Date('2026-11-25T08:00:00Z') },
    pki: () => Promise.reject(new Error('no PKI in this test')),
    publicUrl: 'http://localhost',
    linkTtlDays: 30,
    templates: templateRepo,
    bulkJobs,
  } as unknown as BulkRunDeps;
  return { deps, envelopes, jobs, rows };
};

const ELECTRICITY: CreateTemplateInput = {
  name: 'Hợp đồng mua bán điện',
  title: 'Hợp đồng mua bán điện – {{ho_ten}}',
  html: html('hop-dong-dien.html'),
  roles: [
    { name: 'Bên mua điện', role: 'signer', order: 1 },
    { name: 'Bên bán điện', role: 'signer', order: 2, recipient: { name: 'Điện lực Thử Nghiệm', email: 'hopdong@dien.example.vn' } },
  ],
  fields: [
    { recipient: 0, type: 'signature', anchor: 'BÊN MUA ĐIỆN', offsetY: 6, width: 160, height: 50 },
    { recipient: 1, type: 'signature', anchor: 'BÊN BÁN ĐIỆN', offsetY: 6, width: 160, height: 50 },
  ],
};
const VALUES = { ma_kh: 'PD01', so_cong_to: '123', ho_ten: 'Lê Văn Cường', dia_chi: 'Huế', cong_suat: '5' };

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: AppError) => ({ code: e.code, details: e.details }),
  );

describe('templates', () => {
  it('finds the merge fields of title and HTML, and reports {{x}} that the declared list does not know', async () => {
    const { deps } = memoryDeps();
    const t = await createTemplate(deps, 't1', ELECTRICITY);
    expect(t.mergeFields).toEqual(['ho_ten', 'ma_kh', 'so_cong_to', 'dia_chi', 'cong_suat']);
    expect(t.roles.map((r) => r.key)).toEqual(['ben_mua_dien', 'ben_ban_dien']);
    expect(await codeOf(createTemplate(deps, 't1', { ...ELECTRICITY, mergeFields: ['ho_ten', 'ma_kh', 'dia_chi'] }))).toEqual({
      code: 'unknown_merge_field',
      details: { unknown: ['so_cong_to', 'cong_suat'] },
    });
  });

  it('refuses an anchor that is not in the document, and a signer without a signature field', async () => {
    const { deps } = memoryDeps();
    const badAnchor = {
      ...ELECTRICITY,
      fields: [ELECTRICITY.fields[0], { ...ELECTRICITY.fields[1], anchor: 'BÊN THUÊ NHÀ' }],
    } as CreateTemplateInput;
    expect(await codeOf(createTemplate(deps, 't1', badAnchor))).toMatchObject({ code: 'anchor_not_found' });
    const noSig = { ...ELECTRICITY, fields: [ELECTRICITY.fields[0]] } as CreateTemplateInput;
    expect(await codeOf(createTemplate(deps, 't1', noSig))).toMatchObject({ code: 'missing_signature_field' });
  });

  it('creates an envelope with fields under their anchors, the fixed recipient in its slot, and lists every missing value', async () => {
    const { deps } = memoryDeps();
    const t = await createTemplate(deps, 't1', ELECTRICITY);
    expect(
      await codeOf(
        createEnvelopeFromTemplate(deps, t, { recipients: [{ name: 'A', email: 'a@x.vn' }], values: { ho_ten: 'A', ma_kh: ' ' } }, {}),
      ),
    ).toEqual({
      code: 'missing_merge_values',
      details: { missing: ['ma_kh', 'so_cong_to', 'dia_chi', 'cong_suat'] },
    });
    const e = await createEnvelopeFromTemplate(
      deps,
      t,
      { recipients: [{ name: 'Lê Văn Cường', email: 'cuong@x.vn' }], values: VALUES },
      {},
    );
    expect(e.title).toBe('Hợp đồng mua bán điện – Lê Văn Cường');
    expect(e.recipients.map((r) => [r.email, r.order])).toEqual([
      ['cuong@x.vn', 1],
      ['hopdong@dien.example.vn', 2],
    ]);
    const [buyer, seller] = e.fields;
    expect(buyer?.page).toBe(1);
    expect(buyer?.y).toBe(seller?.y);
    expect(buyer && seller && buyer.x < seller.x).toBe(true);
  });

  it('places anchored fields of the labour contract on page 2, after its page break', async () => {
    const { deps } = memoryDeps();
    const t = await createTemplate(deps, 't1', {
      name: 'HĐLĐ',
      html: html('hop-dong-lao-dong.html'),
      roles: [
        { name: 'Người lao động', role: 'signer', order: 1 },
        { name: 'Công ty', role: 'signer', order: 2 },
      ],
      fields: [
        { recipient: 0, type: 'signature', anchor: 'NGƯỜI LAO ĐỘNG', width: 150, height: 44 },
        { recipient: 1, type: 'signature', anchor: 'NGƯỜI SỬ DỤNG LAO ĐỘNG', width: 150, height: 44 },
      ],
    });
    expect(t.mergeFields).toHaveLength(15);
    const values = Object.fromEntries(t.mergeFields.map((f) => [f, `giá trị ${f}`]));
    const e = await createEnvelopeFromTemplate(
      deps,
      t,
      {
        recipients: [
          { role: 'Công ty', name: 'Trần Thị Bích Ngọc', email: 'hr@x.vn' },
          { role: 'nguoi_lao_dong', name: 'Nguyễn Văn An', email: 'an@x.vn' },
        ],
        values,
      },
      {},
    );
    expect(e.recipients.map((r) => r.email)).toEqual(['an@x.vn', 'hr@x.vn']);
    expect(e.fields.map((f) => f.page)).toEqual([2, 2]);
  });
});

describe('bulk send', () => {
  const csvHeader = 'ben_mua_dien_name,ben_mua_dien_email,ho_ten,ma_kh,so_cong_to,dia_chi,cong_suat,ghi_chu';
  const row = (i: number, email = `kh${i}@x.vn`, ma = `PD${i}`) =>
    `"Khách ${i}",${email},"Nguyễn Văn ${i}",${ma},${1000 + i},"Số ${i}, Lê Lợi, Huế",5,x`;

  it('maps header columns to merge fields and role slots, reports unused columns, and refuses missing ones', async () => {
    const { deps } = memoryDeps();
    const t = await createTemplate(deps, 't1', ELECTRICITY);
    const plan = planBulkRows(t, `\uFEFF${csvHeader}\r\n${row(1)}\r\n`);
    expect(plan.ignoredColumns).toEqual(['ghi_chu']);
    expect(plan.rows[0]).toMatchObject({ row: 1, line: 2, values: { ho_ten: 'Nguyễn Văn 1', dia_chi: 'Số 1, Lê Lợi, Huế' } });
    expect(plan.rows[0]?.recipients.ben_mua_dien).toEqual({ name: 'Khách 1', email: 'kh1@x.vn' });
    let err: AppError | undefined;
    try {
      planBulkRows(t, 'ben_mua_dien_email,ho_ten\na@x.vn,A\n');
    } catch (e) {
      err = e as AppError;
    }
    expect(err?.details).toEqual({ missingColumns: ['ma_kh', 'so_cong_to', 'dia_chi', 'cong_suat', 'ben_mua_dien_name'] });
  });

  it('fails bad rows alone, and is idempotent when a chunk is delivered again or died after creating an envelope', async () => {
    const { deps, envelopes, jobs, rows } = memoryDeps();
    const t = await createTemplate(deps, 't1', ELECTRICITY);
    const csv = [csvHeader, row(1), row(2, ''), row(3), row(4, 'not-an-email'), row(5, 'kh5@x.vn', '')].join('\n');
    const plan = planBulkRows(t, csv);
    const job: BulkJob = {
      id: 'job1',
      tenantId: 't1',
      templateId: t.id,
      send: false,
      total: 5,
      chunkSize: 25,
      createdAt: '',
      ignoredColumns: [],
      done: 0,
      failed: 0,
    };
    await deps.bulkJobs.create(job);
    // The worker died after creating row 3's envelope, before recording it.
    await createEnvelopeFromTemplate(
      deps,
      t,
      { recipients: [{ name: 'Khách 3', email: 'kh3@x.vn' }], values: plan.rows[2]?.values ?? {} },
      {},
      {
        envelopeId: bulkEnvelopeId('job1', 3),
      },
    );
    const chunk = { tenantId: 't1', jobId: 'job1', chunk: 0, rows: plan.rows };
    await runBulkChunk(deps, chunk);
    await runBulkChunk(deps, chunk); // redelivered
    expect(envelopes.size).toBe(2);
    expect(jobs.get('job1')).toMatchObject({ done: 2, failed: 3 });
    const failed = [...rows.values()].filter((r) => r.status === 'failed').sort((a, b) => a.row - b.row);
    expect(failed.map((r) => [r.row, r.code])).toEqual([
      [2, 'validation_failed'],
      [4, 'validation_failed'],
      [5, 'missing_merge_values'],
    ]);
    expect(failed[0]?.reason).toContain('ben_mua_dien_email is empty');
    expect(failed[1]?.reason).toContain('"not-an-email" is not an email address');
    expect(failed[2]?.reason).toContain('ma_kh');
    expect(rows.get('job1/3')?.envelopeId).toBe(bulkEnvelopeId('job1', 3));
  });
  it('retries a row that hits an unexpected error with the message, then records it as failed so the job can finish', async () => {
    const { deps, jobs, rows } = memoryDeps();
    const t = await createTemplate(deps, 't1', ELECTRICITY);
    const plan = planBulkRows(t, [csvHeader, row(1), row(2), row(3)].join('\n'));
    await deps.bulkJobs.create({
      id: 'job2',
      tenantId: 't1',
      templateId: t.id,
      send: false,
      total: 3,
      chunkSize: 25,
      createdAt: '',
      ignoredColumns: [],
      done: 0,
      failed: 0,
    });
    const poisoned = bulkEnvelopeId('job2', 2);
    const create = deps.envelopes.create;
    (deps.envelopes as { create: typeof create }).create = async (e) => {
      if (e.id === poisoned) throw Object.assign(new Error('timeout'), { name: 'TimeoutError' });
      return create(e);
    };
    const chunk = { tenantId: 't1', jobId: 'job2', chunk: 0, rows: plan.rows };
    await expect(runBulkChunk(deps, chunk)).rejects.toThrow('timeout');
    expect(jobs.get('job2')).toMatchObject({ done: 2, failed: 0 });
    await expect(runBulkChunk(deps, chunk)).rejects.toThrow('timeout');
    await runBulkChunk(deps, chunk); // third attempt: recorded, the message is done
    expect(jobs.get('job2')).toMatchObject({ done: 2, failed: 1 });
    expect(rows.get('job2/2')).toMatchObject({ status: 'failed', code: 'internal', reason: 'Failed 3 times (TimeoutError).' });
  });
  it('splits 5,000 rows into 200 queue messages of 25 rows, each far below the SQS limit of 256 KB', async () => {
    const { deps } = memoryDeps();
    const t = await createTemplate(deps, 't1', ELECTRICITY);
    const sent: Record<string, unknown>[] = [];
    const bulkDeps = { ...deps, jobs: { enqueue: async (_kind: string, body: Record<string, unknown>) => void sent.push(body) } };
    const csv = [csvHeader, ...Array.from({ length: 5000 }, (_, i) => row(i + 1))].join('\r\n');
    const job = await startBulkJob(bulkDeps, 't1', { templateId: t.id, csv, send: true });
    expect(job).toMatchObject({ total: 5000, chunkSize: 25, done: 0, failed: 0 });
    expect(sent).toHaveLength(200);
    const sizes = sent.map((b) => Buffer.byteLength(JSON.stringify(b)));
    expect(Math.max(...sizes)).toBeLessThan(64 * 1024);
    const rowsSeen = sent.flatMap((b) => (b.rows as { row: number }[]).map((r) => r.row));
    expect(new Set(rowsSeen).size).toBe(5000);
  });
});
