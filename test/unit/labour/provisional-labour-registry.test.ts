import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { provisionalLabourRegistry, toWire } from '../../../functions/labour/provisional-labour-registry.js';
import { type LabourSubmission, RegistryUnavailableError } from '../../../shared/labour/ports.js';
import { sha256Hex } from '../../../shared/util/bytes.js';
import { startLabourPlatformTestServer } from '../../support/labour-platform-test-server.js';

/** The PROVISIONAL adapter against the local platform that speaks the same provisional protocol. */
let platform: Awaited<ReturnType<typeof startLabourPlatformTestServer>>;
beforeAll(async () => {
  platform = await startLabourPlatformTestServer();
});
afterAll(() => platform.stop());
beforeEach(() => {
  platform.set({ outage: false, failNext: 0, slowMs: 0, asynchronous: false, rejectTaxCodes: [], tokenTtlSeconds: 300 });
});

const pdf = new TextEncoder().encode('%PDF-1.7\n% test\n%%EOF\n');
const submission = (reference: string, change: Partial<LabourSubmission> = {}): LabourSubmission => ({
  reference,
  act: 'contract',
  terms: {
    employer: { name: 'Công ty TNHH Thử Nghiệm', taxCode: '0312345678', representative: 'Trần Thị Bình', address: 'TP. HCM' },
    employee: { name: 'Nguyễn Văn An', idNumber: '001203004567', dateOfBirth: '1998-04-15', address: 'Hà Nội' },
    contractType: 'indefinite',
    startDate: '2026-07-01',
    jobTitle: 'Kế toán',
    workplace: 'Hà Nội',
    salary: { amount: 12_000_000, currency: 'VND' },
  },
  completedAt: '2026-07-01T03:00:00.000Z',
  documents: [{ name: 'hd.pdf', sha256: sha256Hex(pdf), pdf }],
  auditLog: [{ seq: 1, at: '2026-07-01T03:00:00.000Z', action: 'envelope.created', actor: { type: 'tenant' }, prevHash: '0', hash: '1' }],
  parties: [
    { party: 'employee', name: 'Nguyễn Văn An', identifier: '001203004567', method: 'email-link+otp' },
    { party: 'employer', name: 'Công ty TNHH Thử Nghiệm', identifier: '0312345678', method: 'organisation-seal' },
  ],
  ...change,
});
const registry = (options: { timeoutMs?: number; clientSecret?: string } = {}) =>
  provisionalLabourRegistry({
    baseUrl: platform.url,
    clientId: platform.clientId,
    clientSecret: options.clientSecret ?? platform.clientSecret,
    timeoutMs: options.timeoutMs ?? 2000,
  });

describe('provisional labour registry ↔ local platform', () => {
  it('authenticates, submits, and gets one identifier however often the same contract is sent', async () => {
    const r = registry();
    const first = await r.submit(submission('t1:e1'));
    expect(first).toMatchObject({ status: 'registered', nationalId: expect.stringMatching(/^HDLD-/) });
    const again = await r.submit(submission('t1:e1'));
    expect(again).toMatchObject({ status: 'registered', nationalId: (first as { nationalId: string }).nationalId });
    expect(
      platform
        .received()
        .filter((s) => s.reference === 't1:e1')
        .map((s) => s.outcome),
    ).toEqual(['registered', 'duplicate']);
  });

  it('gets a new token when the platform forgets the old one', async () => {
    const r = registry();
    expect((await r.submit(submission('t1:e2'))).status).toBe('registered');
    platform.set({ revokeTokens: true });
    expect((await r.submit(submission('t1:e2b'))).status).toBe('registered');
    platform.set({ tokenTtlSeconds: 0 });
    // A platform that only hands out dead tokens is unavailable, not a rejection of the contract.
    await expect(registry().submit(submission('t1:e2c'))).rejects.toThrow(/401/);
  });

  it('wrong credentials, an outage, 503s and slow answers are "try later"', async () => {
    await expect(registry({ clientSecret: 'wrong' }).submit(submission('t1:e3'))).rejects.toBeInstanceOf(RegistryUnavailableError);
    platform.set({ outage: true });
    await expect(registry().submit(submission('t1:e3'))).rejects.toThrow(/503/);
    platform.set({ outage: false, failNext: 1 });
    const r = registry();
    await expect(r.submit(submission('t1:e3'))).rejects.toThrow(/503/);
    expect((await r.submit(submission('t1:e3'))).status).toBe('registered');
    platform.set({ slowMs: 400 });
    await expect(registry({ timeoutMs: 150 }).submit(submission('t1:e4'))).rejects.toThrow(/no answer within 150 ms/);
  });

  it('validation errors and refusals are rejections with the platform’s reason', async () => {
    const bad = await registry().submit(submission('t1:e5', { documents: [{ name: 'x.pdf', sha256: 'ab', pdf }] }));
    expect(bad).toMatchObject({ status: 'rejected', reason: expect.stringContaining('taiLieu[0].sha256') });
    platform.set({ rejectTaxCodes: ['0312345678'] });
    expect(await registry().submit(submission('t1:e6'))).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('chưa có tài khoản'),
    });
    const orphan = await registry().submit(submission('t1:e7', { act: 'appendix', relatesTo: 'HDLD-2026-00009999' }));
    expect(orphan).toMatchObject({ status: 'rejected', reason: expect.stringContaining('HDLD-2026-00009999') });
  });

  it('asynchronous processing: submitted, then registered on the status poll', async () => {
    platform.set({ asynchronous: true });
    const r = registry();
    const accepted = await r.submit(submission('t1:e8'));
    expect(accepted.status).toBe('submitted');
    const polled = await r.status((accepted as { submissionId: string }).submissionId);
    expect(polled).toMatchObject({ status: 'registered', nationalId: expect.stringMatching(/^HDLD-/) });
  });

  it('puts the main terms, documents, log and parties on the wire', () => {
    const w = toWire(
      submission('t1:e9', { act: 'termination', relatesTo: 'HDLD-2026-00000001', effectiveDate: '2026-12-31', summary: 'Thỏa thuận' }),
    );
    expect(w).toMatchObject({ loai: 'CHAM_DUT', maHopDongGoc: 'HDLD-2026-00000001', ngayHieuLuc: '2026-12-31' });
    expect(w.thongTinChinh.loaiHopDong).toBe('KHONG_XAC_DINH_THOI_HAN');
    expect(w.taiLieu[0]?.noiDungBase64).toBe(Buffer.from(pdf).toString('base64'));
    expect(w.dinhDanhCacBen.map((p) => p.ben)).toEqual(['NGUOI_LAO_DONG', 'NGUOI_SU_DUNG_LAO_DONG']);
  });
});
