import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { call, createTenant, fixture, latestLinkToken, outboxDrained, uniqueEmail } from '../support/api.js';
import { ekycImages } from '../support/ekyc-test-server.js';
import { startServer } from '../support/start-server.js';
import { pdfToText, qpdfCheck, runPdfsig } from '../support/validators.js';
import { type EnvelopeBody, type ErrorBody, signWith, workflowJson } from '../support/workflow.js';

/**
 * Labour contracts end to end (Decree 337): HTTP to the running service, which registers them
 * with the local national-platform test server over the provisional protocol.
 */
interface Registration {
  status: string;
  nationalId?: string;
  reason?: string;
  attempts: number;
  late: boolean;
  overdue: boolean;
  overdueReason?: string;
}
type LabourEnvelope = EnvelopeBody & {
  nationalId?: string;
  completedAt?: string;
  labourContract: {
    act: string;
    conversion?: { originalReference: string };
    registration?: Registration;
    terminatedBy?: { nationalId: string };
    relatesTo?: { nationalId: string };
  };
};
interface Received {
  reference: string;
  act: string;
  relatesTo?: string;
  outcome: string;
  nationalId?: string;
  documents: { sha256: string }[];
  parties: string[];
  auditEvents: number;
  converted: boolean;
}

const TAX = '0312345678';
const terms = (employeeName: string, extra: Record<string, unknown> = {}) => ({
  employer: {
    name: 'Công ty TNHH Thử Nghiệm',
    taxCode: TAX,
    representative: 'Trần Thị Bình',
    address: '1 Lê Lợi, Quận 1, TP. Hồ Chí Minh',
  },
  employee: { name: employeeName, idNumber: '079203001234', dateOfBirth: '1998-04-15', address: '12 Nguyễn Trãi, Hà Nội' },
  contractType: 'fixed-term',
  startDate: '2026-07-01',
  endDate: '2027-06-30',
  jobTitle: 'Kỹ sư phần mềm',
  workplace: 'TP. Hồ Chí Minh',
  salary: { amount: 25_000_000, currency: 'VND' },
  workingHours: '8 giờ/ngày, 40 giờ/tuần',
  ...extra,
});

let key: string;
let platformUrl: string;
const platform = (b: Record<string, unknown>) =>
  fetch(`${platformUrl}/__control`, { method: 'POST', body: JSON.stringify(b) }).then((r) => r.json());
const received = async (): Promise<Received[]> => (await call<{ received: Received[] }>('GET', '/dev/labour-platform')).body.received;

const create = (employee: string, employer: string, labourContract: Record<string, unknown>, k = key) =>
  call<LabourEnvelope & ErrorBody>('POST', '/v1/envelopes', {
    key: k,
    json: workflowJson(
      [
        { name: employee, email: uniqueEmail('nld') },
        { name: employer, email: uniqueEmail('nsdld'), order: 2 },
      ],
      { labourContract },
    ),
  });

/** Creates, sends and has both parties sign, in order. */
const signedByBoth = async (employee: string, labourContract: Record<string, unknown>) => {
  const created = await create(employee, 'Trần Thị Bình', labourContract);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const sent = await call<LabourEnvelope>('POST', `/v1/envelopes/${created.body.id}/send`, { key });
  for (const r of sent.body.recipients) {
    const signed = await signWith(await latestLinkToken(r.email), r.name);
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  }
  return created.body.id;
};

const waitFor = async (id: string, ok: (e: LabourEnvelope) => boolean, what: string, ms = 30_000): Promise<LabourEnvelope> => {
  const until = Date.now() + ms;
  for (;;) {
    const e = (await call<LabourEnvelope>('GET', `/v1/envelopes/${id}`, { key })).body;
    if (ok(e)) return e;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(e.labourContract?.registration)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};
const registered = (id: string) => waitFor(id, (e) => e.labourContract.registration?.status === 'registered', 'registered');
const audit = async (id: string) =>
  (await call<{ events: { action: string; data?: Record<string, unknown> }[] }>('GET', `/v1/envelopes/${id}/audit`, { key })).body.events;

/** The tenant's webhook endpoint: what it was told about labour contracts. */
const hooks: { type: string; data: { envelopeId?: string; nationalId?: string; reason?: string } }[] = [];
const hookServer = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => {
    body += d;
  });
  req.on('end', () => {
    hooks.push(JSON.parse(body));
    res.writeHead(200).end();
  });
});
const hooksFor = async (type: string, envelopeId: string) => {
  for (let i = 0; i < 100 && !hooks.some((h) => h.type === type && h.data.envelopeId === envelopeId); i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  return hooks.filter((h) => h.type === type && h.data.envelopeId === envelopeId);
};

beforeAll(async () => {
  key = (await createTenant('Công ty TNHH Thử Nghiệm')).apiKey;
  // The registration flows below are about the platform: this tenant opts out of identity proofing
  // (the default, proofing required, is tested on a tenant of its own in 'parties identified by default').
  const optOut = await call<{ labour: { identityRequired: boolean } }>('PUT', '/v1/settings', {
    key,
    json: { labour: { identityRequired: false } },
  });
  expect(optOut.body.labour).toEqual({ identityRequired: false });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  const hook = await call('POST', '/v1/webhooks', {
    key,
    json: {
      url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`,
      events: ['labour_contract.registered', 'labour_contract.rejected'],
    },
  });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  platformUrl = (await call<{ url: string }>('GET', '/dev/labour-platform')).body.url;
  await fetch(`${platformUrl}/__reset`, { method: 'POST' });
});
afterAll(async () => {
  await fetch(`${platformUrl}/__reset`, { method: 'POST' });
  await new Promise<void>((r) => hookServer.close(() => r()));
});

describe('labourContract on POST /v1/envelopes: validated, 400s name the field', () => {
  it.each([
    ['employee.idNumber', { employee: { name: 'Lê Văn Cường', idNumber: '07920300123', dateOfBirth: '1998-04-15', address: 'Hà Nội' } }],
    ['employer.taxCode', { employer: { name: 'Công ty', taxCode: '031234567', representative: 'Trần Thị Bình', address: 'HCM' } }],
    ['endDate', { endDate: undefined }],
    ['endDate', { endDate: '2029-07-02' }],
    ['startDate', { startDate: '2026-02-30' }],
    ['salary.amount', { salary: { amount: -5, currency: 'VND' } }],
  ])('%s', async (field, change) => {
    const r = await create('Lê Văn Cường', 'Trần Thị Bình', terms('Lê Văn Cường', change));
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.code).toBe('invalid_labour_contract');
    expect(r.body.error.message).toContain(`labourContract.${field}`);
    expect((r.body.error.details as { field: string }).field).toBe(`labourContract.${field}`);
  });

  it('matches recipients to the parties (or says which party has no recipient)', async () => {
    const r = await create('Người Khác', 'Trần Thị Bình', terms('Lê Văn Cường'));
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('labourContract.parties.employee');
    const ok = await create('lê văn  cường', 'Trần Thị Bình', terms('Lê Văn Cường', { endDate: '29/06/2029' }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.labourContract).toMatchObject({
      act: 'contract',
      endDate: '2029-06-29',
      parties: { employeeRecipientId: ok.body.recipients[0]?.id },
    });
  });
});

describe('parties identified by default (Decree 337)', () => {
  const worker = { id: '079203009876', name: 'Bùi Thị Hoa', dob: '1997-03-08' };
  const boss = { id: '001085004321', name: 'Trần Thị Bình', dob: '1985-11-20' };
  const prove = (token: string, p: typeof worker) =>
    call<ErrorBody & { verified?: boolean }>('POST', `/v1/sign/${token}/identity/document`, { json: ekycImages(p) });

  it('identity proofing is required unless the tenant opts out; unproven → identity_required; proven → signed and registered', async () => {
    const own = (await createTenant('Công ty TNHH Định Danh')).apiKey;
    expect((await call<{ labour: unknown }>('GET', '/v1/settings', { key: own })).body.labour).toEqual({ identityRequired: true });
    const labourContract = terms(worker.name, {
      employee: { name: worker.name, idNumber: worker.id, dateOfBirth: worker.dob, address: 'Ninh Bình' },
    });
    // A recipient cannot switch it off for itself: only the tenant's settings can.
    const made = await create(worker.name, boss.name, labourContract, own);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const refusedOff = await call<ErrorBody>('POST', '/v1/envelopes', {
      key: own,
      json: workflowJson(
        [
          { name: worker.name, email: uniqueEmail('nld'), identity: { required: false } },
          { name: boss.name, email: uniqueEmail('nsdld'), order: 2 },
        ],
        { labourContract },
      ),
    });
    expect(refusedOff.status).toBe(400);
    expect(refusedOff.body.error).toMatchObject({ code: 'invalid_labour_contract', details: { field: 'recipients[0].identity.required' } });

    // Recorded on the contract, the recipients and the trail: both parties (the employer signs in person) prove who they are.
    const e = made.body;
    expect(e.labourContract).toMatchObject({ identification: { required: true, decidedBy: 'default' } });
    const [emp, employer] = e.recipients as unknown as { email: string; identity?: { required: boolean; idNumber?: string } }[];
    expect(emp?.identity).toEqual({ required: true, idNumber: worker.id });
    expect(employer?.identity).toEqual({ required: true });
    const created = (
      await call<{ events: { action: string; data?: Record<string, unknown> }[] }>('GET', `/v1/envelopes/${e.id}/audit`, { key: own })
    ).body.events[0];
    expect(created?.data?.labourIdentification).toEqual({ required: true, decidedBy: 'default' });

    expect((await call('POST', `/v1/envelopes/${e.id}/send`, { key: own })).status).toBe(200);
    const workerToken = await latestLinkToken(emp?.email as string);
    const refused = await signWith(workerToken, worker.name);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('identity_required');
    expect((await prove(workerToken, worker)).status).toBe(200);
    expect((await signWith(workerToken, worker.name)).status).toBe(200);
    const bossToken = await latestLinkToken(employer?.email as string);
    expect((await signWith(bossToken, boss.name)).body.error.code).toBe('identity_required');
    expect((await prove(bossToken, boss)).status).toBe(200);
    expect((await signWith(bossToken, boss.name)).status).toBe(200);

    const until = Date.now() + 30_000;
    let done: LabourEnvelope | undefined;
    while (Date.now() < until) {
      done = (await call<LabourEnvelope>('GET', `/v1/envelopes/${e.id}`, { key: own })).body;
      if (done.labourContract.registration?.status === 'registered') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(done?.nationalId).toMatch(/^HDLD-/);
    const trail = (await call<{ events: { action: string }[] }>('GET', `/v1/envelopes/${e.id}/audit`, { key: own })).body.events;
    expect(trail.filter((a) => a.action === 'recipient.identity_verified')).toHaveLength(2);
  });

  it('a tenant that opted out records it on each contract', async () => {
    const r = await create('Lê Văn Cường', 'Trần Thị Bình', terms('Lê Văn Cường'));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.labourContract).toMatchObject({ identification: { required: false, decidedBy: 'tenant' } });
    expect((r.body.recipients[0] as { identity?: unknown } | undefined)?.identity).toBeUndefined();
  });
});

describe('registration with the national platform', () => {
  let contractId: string;
  let nationalId: string;

  it('a contract signed by worker and employer is registered and gets its identifier', async () => {
    contractId = await signedByBoth('Phạm Thị Dung', terms('Phạm Thị Dung'));
    const e = await registered(contractId);
    await outboxDrained();
    nationalId = e.nationalId as string;
    expect(nationalId).toMatch(/^HDLD-\d{4}-\d{8}$/);
    expect(e.labourContract.registration?.nationalId).toBe(nationalId);
    // What the platform got: the signed PDF (its final revision), both parties' identities, the audit log.
    const mine = (await received()).filter((s) => s.reference.endsWith(`:${contractId}`));
    expect(mine.map((s) => s.outcome)).toEqual(['registered']);
    expect(mine[0]?.documents.map((d) => d.sha256)).toEqual(e.documents.map((d) => d.sha256));
    expect(mine[0]?.parties.sort()).toEqual(['NGUOI_LAO_DONG', 'NGUOI_SU_DUNG_LAO_DONG']);
    expect(mine[0]?.auditEvents).toBeGreaterThan(4);
    const actions = (await audit(contractId)).map((a) => a.action);
    expect(actions).toContain('labour_contract.submission_attempt');
    expect(actions).toContain('labour_contract.registered');
    // The certificate of completion carries the worker's CCCD, the employer's tax code and the national identifier.
    const certificate = await call<Uint8Array>('GET', `/v1/envelopes/${contractId}/certificate`, { key });
    expect(certificate.status).toBe(200);
    const text = pdfToText(certificate.body);
    expect(text).toContain('CCCD 079203001234');
    expect(text).toContain(`MST / tax code ${TAX}`);
    expect(text).toContain(nationalId);
    expect(text).toContain('Đã đăng ký trên Nền tảng / Registered by the national platform');
    // Announced once to the tenant's webhook, with the identifier.
    expect((await hooksFor('labour_contract.registered', contractId)).map((h) => h.data.nationalId)).toEqual([nationalId]);
  });

  it('the platform down for a while: retried with backoff, each attempt audited, registered once', async () => {
    await platform({ outage: true });
    const id = await signedByBoth('Hoàng Văn Em', terms('Hoàng Văn Em'));
    const failing = await waitFor(id, (e) => (e.labourContract.registration?.attempts ?? 0) >= 2, 'two failed attempts');
    expect(failing.labourContract.registration?.status).toBe('pending');
    await platform({ outage: false, failNext: 1 });
    const e = await registered(id);
    const attempts = (await audit(id)).filter((a) => a.action === 'labour_contract.submission_attempt');
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.filter((a) => a.data?.outcome === 'unavailable').length).toBe(attempts.length - 1);
    expect(attempts.at(-1)?.data?.outcome).toBe('registered');
    const mine = (await received()).filter((s) => s.reference.endsWith(`:${id}`) && s.outcome === 'registered');
    expect(mine).toHaveLength(1);
    expect(mine[0]?.nationalId).toBe(e.nationalId);
  });

  it('slow answers time out and are retried', async () => {
    await platform({ slowMs: 2500 });
    const id = await signedByBoth('Vũ Thị Giang', terms('Vũ Thị Giang'));
    const slow = await waitFor(id, (e) => (e.labourContract.registration?.attempts ?? 0) >= 1, 'a timed-out attempt');
    expect(slow.labourContract.registration).toMatchObject({ status: 'pending' });
    await platform({ slowMs: 0 });
    expect((await registered(id)).nationalId).toMatch(/^HDLD-/);
  });

  it('a rejection → late and overdue flags → fixed → retried (idempotently) → registered', async () => {
    await platform({ rejectTaxCodes: ['0309876543'] });
    const id = await signedByBoth(
      'Đỗ Văn Hải',
      terms('Đỗ Văn Hải', {
        employer: { name: 'Công ty TNHH Thử Nghiệm', taxCode: '0309876543', representative: 'Trần Thị Bình', address: 'HCM' },
      }),
    );
    const rejected = await waitFor(id, (e) => e.labourContract.registration?.status === 'rejected', 'rejected');
    expect(rejected.labourContract.registration?.reason).toContain('chưa có tài khoản');
    expect((await hooksFor('labour_contract.rejected', id))[0]?.data.reason).toContain('chưa có tài khoản');
    // 21 h and 25 h after completion: the sweep flags it late (the alarm's count), then overdue with the reason.
    const at = (h: number) => new Date(Date.parse(rejected.completedAt as string) + h * 3600_000).toISOString();
    const late = await call<{ late: number; overdue: number }>('POST', `/dev/scheduler/labour-registrations?now=${at(21)}`);
    expect(late.body.late).toBeGreaterThanOrEqual(1);
    expect((await call<LabourEnvelope>('GET', `/v1/envelopes/${id}`, { key })).body.labourContract.registration).toMatchObject({
      late: true,
      overdue: false,
    });
    await call('POST', `/dev/scheduler/labour-registrations?now=${at(25)}`);
    const overdue = (await call<LabourEnvelope>('GET', `/v1/envelopes/${id}`, { key })).body.labourContract.registration;
    expect(overdue).toMatchObject({ late: true, overdue: true });
    expect(overdue?.overdueReason).toContain('chưa có tài khoản');

    await platform({ rejectTaxCodes: [] }); // the employer opened its account on the platform
    // Two at once: one conditional write wins, the other finds the registration pending and changes nothing.
    const [a, b] = await Promise.all([
      call<LabourEnvelope>('POST', `/v1/envelopes/${id}/labour-registration/retry`, { key }),
      call<LabourEnvelope>('POST', `/v1/envelopes/${id}/labour-registration/retry`, { key }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const e = await registered(id);
    expect(e.nationalId).toMatch(/^HDLD-/);
    const trail = await audit(id);
    expect(
      trail.filter((x) => x.action === 'labour_contract.registration_retried'),
      JSON.stringify(trail.slice(-12)),
    ).toHaveLength(1);
    const again = await call<LabourEnvelope>('POST', `/v1/envelopes/${id}/labour-registration/retry`, { key });
    expect(again.body.nationalId).toBe(e.nationalId);
  });

  it('an appendix and a termination reference the original identifier; none after the termination', async () => {
    const appendixId = await signedByBoth('Phạm Thị Dung', {
      act: 'appendix',
      relatesTo: nationalId,
      effectiveDate: '2026-10-01',
      summary: 'Điều chỉnh mức lương từ 01/10/2026.',
      salary: { amount: 28_000_000 },
    });
    const appendix = await registered(appendixId);
    expect(appendix.labourContract.relatesTo?.nationalId).toBe(nationalId);
    expect(appendix.nationalId).not.toBe(nationalId);
    const terminationId = await signedByBoth('Phạm Thị Dung', {
      act: 'termination',
      relatesTo: contractId,
      effectiveDate: '2026-12-31',
      summary: 'Hai bên thỏa thuận chấm dứt hợp đồng.',
    });
    await registered(terminationId);
    const sent = (await received()).filter((s) => s.relatesTo === nationalId);
    expect(sent.map((s) => s.act).sort()).toEqual(['CHAM_DUT', 'PHU_LUC']);
    const original = (await call<LabourEnvelope>('GET', `/v1/envelopes/${contractId}`, { key })).body;
    expect(original.labourContract.terminatedBy?.nationalId).toMatch(/^HDLD-/);
    const late = await create('Phạm Thị Dung', 'Trần Thị Bình', {
      act: 'appendix',
      relatesTo: nationalId,
      effectiveDate: '2027-01-01',
      summary: 'x',
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('labour_contract_terminated');
  });

  it('refuses an appendix to a contract that is not registered, or unknown', async () => {
    const draft = await create('Lý Văn Khoa', 'Trần Thị Bình', terms('Lý Văn Khoa'));
    const r = await create('Lý Văn Khoa', 'Trần Thị Bình', {
      act: 'appendix',
      relatesTo: draft.body.id,
      effectiveDate: '2026-09-01',
      summary: 'x',
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('labour_contract_not_registered');
    const unknown = await create('Lý Văn Khoa', 'Trần Thị Bình', {
      act: 'termination',
      relatesTo: 'HDLD-2026-99999999',
      effectiveDate: '2026-09-01',
      summary: 'x',
    });
    expect(unknown.status).toBe(404);
  });

  it('the report lists every completed labour contract with state and identifier, in JSON and CSV', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const json = await call<{ items: { envelopeId: string; status: string; nationalId?: string; act: string }[] }>(
      'GET',
      `/v1/reports/labour-contracts?from=${from}&to=${to}`,
      { key },
    );
    expect(json.status).toBe(200);
    const row = json.body.items.find((i) => i.envelopeId === contractId);
    expect(row).toMatchObject({ status: 'registered', nationalId, act: 'contract' });
    expect(json.body.items.filter((i) => i.act === 'appendix')).toHaveLength(1);
    const csv = await call<string>('GET', `/v1/reports/labour-contracts?from=${from}&to=${to}&format=csv`, { key });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body).toContain(`"${nationalId}"`);
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(json.body.items.length + 1);
    const bad = await call<ErrorBody>('GET', '/v1/reports/labour-contracts?from=2020-01-01&to=2026-01-01', { key });
    expect(bad.status).toBe(400);
  });
});

describe('a crash between completion and delivery', () => {
  let crashing: Awaited<ReturnType<typeof startServer>> | undefined;
  afterAll(async () => {
    await crashing?.stop();
  });

  it('loses nothing: the registration is owed by the completing write, and the surviving worker delivers it once', async () => {
    // A second instance on the same AWS endpoint, which dies right after the completing write (before any owed effect ran).
    crashing = await startServer({
      AWS_ENDPOINT_URL: inject('awsEndpoint'),
      KYSO_ADMIN_KEY: inject('adminKey'),
      KYSO_DEV_CRASH_POINT: 'after-completion-commit',
      KYSO_LABOUR_PLATFORM_URL: 'http://127.0.0.1:9', // never reached: it dies first
    });
    const created = await create('Ngô Văn Lâm', 'Trần Thị Bình', terms('Ngô Văn Lâm'));
    const id = created.body.id;
    expect((await call('POST', `/v1/envelopes/${id}/send`, { key })).status).toBe(200);
    const [employee, employer] = created.body.recipients;
    const first = await signWith(await latestLinkToken(employee?.email as string), 'Ngô Văn Lâm');
    expect(first.status).toBe(200);
    // The last signature goes to the instance that dies.
    const token = await latestLinkToken(employer?.email as string);
    await expect(
      fetch(`${crashing.url}/v1/sign/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signature: { type: 'typed', value: 'Trần Thị Bình' } }),
      }),
    ).rejects.toThrow();
    const afterCrash = (await call<LabourEnvelope>('GET', `/v1/envelopes/${id}`, { key })).body;
    expect(afterCrash.status).toBe('completed');
    // Recorded with the completion itself; this service's worker performs what the dead one owed.
    expect(afterCrash.labourContract.registration?.status).toBeDefined();
    await outboxDrained();
    // The dead instance may have had a long poll of the labour queue open in moto when it died: the job sent
    // meanwhile goes to that poll and comes back after the queue's visibility timeout (60 s), as on SQS.
    expect((await waitFor(id, (e) => e.labourContract.registration?.status === 'registered', 'registered', 100_000)).nationalId).toMatch(
      /^HDLD-/,
    );
    const mine = (await received()).filter((s) => s.reference.endsWith(`:${id}`));
    expect(mine.map((s) => s.outcome)).toEqual(['registered']);
    expect((await audit(id)).filter((a) => a.action === 'labour_contract.registered')).toHaveLength(1);
  }, 180_000);
});

describe('contracts converted from paper', () => {
  it('a scan + conversion record is sealed with the organisation seal (PAdES, timestamped), then registered', async () => {
    const seal = await call('POST', '/v1/seal', { key, json: { taxCode: TAX, organization: 'Công ty TNHH Thử Nghiệm' } });
    expect([200, 201]).toContain(seal.status);
    const scan = fixture('hop-dong-lao-dong.pdf');
    const r = await call<LabourEnvelope & ErrorBody>('POST', '/v1/labour-contracts/conversions', {
      key,
      json: {
        document: { name: 'ban-scan.pdf', contentBase64: Buffer.from(scan).toString('base64') },
        conversion: {
          convertedBy: 'Trần Thị Bình – Trưởng phòng Nhân sự',
          convertedAt: new Date().toISOString(),
          originalReference: 'HĐLĐ số 15/2024',
          originalSignedAt: '2024-03-01',
        },
        labourContract: terms('Bùi Thị Mai', { contractType: 'indefinite', endDate: undefined, startDate: '2024-03-01' }),
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.labourContract.conversion).toMatchObject({ originalReference: 'HĐLĐ số 15/2024' });
    // The seal is applied by the worker (an owed `seal-turn`); the completion then owes the registration.
    const e = await registered(r.body.id);
    expect(e.status).toBe('completed');
    const mine = (await received()).find((s) => s.reference.endsWith(`:${e.id}`) && s.outcome === 'registered');
    expect(mine?.converted).toBe(true);
    const pdf = await call<Uint8Array>('GET', `/v1/envelopes/${e.id}/documents/${e.documents[0]?.id}`, { key });
    expect(createHash('sha256').update(pdf.body).digest('hex')).toBe(e.documents[0]?.sha256);
    const root = (await call<string>('GET', '/pki/root.pem')).body;
    const { signatures } = runPdfsig(pdf.body, [root]);
    // certification, the seal (PAdES with its signature timestamp), the document timestamp
    expect(signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached').every((s) => s.valid && s.trusted)).toBe(true);
    expect(signatures.some((s) => s.signerName?.includes('Thử Nghiệm'))).toBe(true);
    expect(qpdfCheck(pdf.body).ok).toBe(true);
    const bad = await call<ErrorBody>('POST', '/v1/labour-contracts/conversions', {
      key,
      json: {
        document: { name: 'x.pdf', contentBase64: Buffer.from(scan).toString('base64') },
        conversion: { convertedBy: 'A', convertedAt: 'yesterday', originalReference: 'B' },
        labourContract: terms('Bùi Thị Mai'),
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('conversion.convertedAt');
  });
});
