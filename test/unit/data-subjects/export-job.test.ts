import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  EXPORT_MAX_ATTEMPTS,
  type ExportRunDeps,
  exportArchiveKey,
  exportJobId,
  runExportJob,
} from '../../../shared/data-subjects/export-job.js';
import type { DataSubjectRequest, DataSubjectStore, ExportJob, ExportJobOutcome } from '../../../shared/data-subjects/types.js';
import type { AuditEvent, Envelope } from '../../../shared/envelope/types.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const PDF = new TextEncoder().encode('%PDF-1.7 signed bytes');
const NOW = new Date('2026-12-02T03:00:00Z');

const envelope = (id: string, status: string, signed: boolean): Envelope =>
  ({
    id,
    tenantId: 't1',
    title: `Hợp đồng ${id}`,
    status,
    createdAt: '2026-11-01T00:00:00Z',
    recipients: [
      {
        id: 'r1',
        name: 'Nguyễn Văn An',
        email: 'an@example.vn',
        role: 'signer',
        order: 1,
        status: signed ? 'signed' : 'notified',
        ...(signed ? { signedAt: '2026-11-02T00:00:00Z' } : {}),
      },
    ],
    documents: [
      { id: `d-${id}`, name: 'hop-dong.pdf', originalSha256: 'x', sha256: sha256(PDF), key: `k/${id}`, pageCount: 1, revisions: 3 },
    ],
    fields: [],
  }) as unknown as Envelope;

/** In-memory stand-ins with the semantics the DynamoDB/S3 adapters promise (conditional on pending; effect ids). */
const world = (envelopes: Envelope[], documents: Record<string, Uint8Array | Error>) => {
  const jobs = new Map<string, ExportJob>();
  const puts: { key: string; bytes: Uint8Array }[] = [];
  const events: (Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'> & { envelopeId: string })[] = [];
  const effectIds = new Set<string>();
  const statuses: string[] = [];
  const store: Partial<DataSubjectStore> = {
    getExportJob: async (_t, id) => jobs.get(id),
    startExportAttempt: async (_t, id) => {
      const j = jobs.get(id);
      if (j?.status !== 'pending') return undefined;
      const attempts = (j.attempts ?? 0) + 1;
      jobs.set(id, { ...j, attempts });
      return attempts;
    },
    finishExportJob: async (_t, id, outcome: ExportJobOutcome) => {
      const j = jobs.get(id);
      if (j?.status !== 'pending') return false;
      const { subject: _s, ...rest } = j;
      jobs.set(id, { ...rest, ...outcome } as ExportJob);
      return true;
    },
    setRequestExportStatus: async (_r, status) => {
      statuses.push(status);
    },
  };
  const deps = {
    clock: { now: () => NOW },
    dataSubjects: store,
    envelopes: { list: async () => ({ items: envelopes }) },
    audit: {
      list: async () => [],
      append: async (_t: string, envelopeId: string, e: Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>, o?: { effectId?: string }) => {
        const k = `${envelopeId}/${o?.effectId}`;
        if (o?.effectId && effectIds.has(k)) return;
        if (o?.effectId) effectIds.add(k);
        events.push({ ...e, envelopeId });
      },
    },
    documents: {
      get: async (key: string) => {
        const d = documents[key];
        if (d instanceof Error) throw d;
        if (!d) throw new Error(`no ${key}`);
        return d;
      },
    },
    exportArchives: { put: async (key: string, bytes: Uint8Array) => void puts.push({ key, bytes }) },
  } as unknown as ExportRunDeps;
  const addJob = (id: string) => {
    const request = {
      id,
      tenantId: 't1',
      kind: 'export',
      subject: { kind: 'email', commitment: 'c0ffee' },
    } as unknown as DataSubjectRequest;
    jobs.set(id, {
      id,
      tenantId: 't1',
      status: 'pending',
      request: { ...request, export: { jobId: id, status: 'pending' } },
      size: { envelopes: envelopes.length, documents: 1 },
      subject: { kind: 'email', value: 'an@example.vn' },
      meta: { ip: '203.0.113.9' },
      createdAt: NOW.toISOString(),
    });
  };
  return { deps, jobs, puts, events, statuses, addJob };
};

describe('the export job (asynchronous personal-data export)', () => {
  it('writes one ZIP: export.json in the synchronous format and each signed PDF as stored; ready, identifier forgotten', async () => {
    const w = world([envelope('e1', 'completed', true), envelope('e2', 'sent', false)], { 'k/e1': PDF });
    w.addJob('j1');
    await runExportJob(w.deps, { tenantId: 't1', jobId: 'j1' });
    expect(w.puts.map((p) => p.key)).toEqual([exportArchiveKey('t1', 'j1')]);
    expect(exportArchiveKey('t1', 'j1')).toBe('tenants/t1/data-subject-exports/j1.zip');
    const files = unzipSync(w.puts[0]?.bytes as Uint8Array);
    expect(Object.keys(files).sort()).toEqual(['documents/e1/d-e1.pdf', 'export.json']);
    expect(sha256(files['documents/e1/d-e1.pdf'] as Uint8Array)).toBe(sha256(PDF));
    const body = JSON.parse(strFromU8(files['export.json'] as Uint8Array));
    expect(body).toMatchObject({ format: 'kyso-data-subject-export/v1', subject: { kind: 'email', value: 'an@example.vn' } });
    expect(body.request.export).toBeUndefined();
    expect(body.envelopes.map((e: { id: string; documents: unknown[] }) => [e.id, e.documents.length])).toEqual([
      ['e1', 1],
      ['e2', 0],
    ]);
    expect(body.envelopes[0].documents[0]).toEqual({
      id: 'd-e1',
      name: 'hop-dong.pdf',
      sha256: sha256(PDF),
      path: 'documents/e1/d-e1.pdf',
    });
    const job = w.jobs.get('j1') as ExportJob;
    expect(job).toMatchObject({ status: 'ready', bytes: w.puts[0]?.bytes.length, sha256: sha256(w.puts[0]?.bytes as Uint8Array) });
    expect(job.subject).toBeUndefined();
    expect(job.expiresAt).toBe('2026-12-05T03:00:00.000Z'); // 3 days
    expect(w.events.map((e) => [e.envelopeId, e.action, e.ip])).toEqual([
      ['e1', 'data_subject.exported', '203.0.113.9'],
      ['e2', 'data_subject.exported', '203.0.113.9'],
    ]);
    expect(w.statuses).toEqual(['ready']);
  });

  it('a second delivery of the same job writes nothing again', async () => {
    const w = world([envelope('e1', 'completed', true)], { 'k/e1': PDF });
    w.addJob('j1');
    await runExportJob(w.deps, { tenantId: 't1', jobId: 'j1' });
    await runExportJob(w.deps, { tenantId: 't1', jobId: 'j1' });
    expect(w.puts).toHaveLength(1);
    expect(w.events).toHaveLength(1);
    expect(w.jobs.get('j1')?.attempts).toBe(1);
    // An unknown (forgotten) job is nothing to do.
    await expect(runExportJob(w.deps, { tenantId: 't1', jobId: 'gone' })).resolves.toBeUndefined();
  });

  it('fails for good when a document does not match its recorded hash (nothing written)', async () => {
    const w = world([envelope('e1', 'completed', true)], { 'k/e1': new TextEncoder().encode('%PDF- something else') });
    w.addJob('j1');
    await runExportJob(w.deps, { tenantId: 't1', jobId: 'j1' });
    expect(w.jobs.get('j1')).toMatchObject({ status: 'failed', error: { code: 'document_changed' } });
    expect(w.jobs.get('j1')?.subject).toBeUndefined();
    expect(w.puts).toEqual([]);
    expect(w.statuses).toEqual(['failed']);
  });

  it('a transient failure throws (the queue retries); after the last attempt the job is failed', async () => {
    const w = world([envelope('e1', 'completed', true)], { 'k/e1': Object.assign(new Error('slow down'), { name: 'SlowDown' }) });
    w.addJob('j1');
    for (let i = 0; i < EXPORT_MAX_ATTEMPTS; i++) {
      await expect(runExportJob(w.deps, { tenantId: 't1', jobId: 'j1' })).rejects.toThrow('slow down');
      expect(w.jobs.get('j1')?.status).toBe('pending');
    }
    await runExportJob(w.deps, { tenantId: 't1', jobId: 'j1' });
    expect(w.jobs.get('j1')).toMatchObject({ status: 'failed', attempts: EXPORT_MAX_ATTEMPTS + 1, error: { code: 'export_failed' } });
    expect(w.puts).toEqual([]);
  });

  it('names the job after the Idempotency-Key, per tenant; without a key, a fresh id each time', () => {
    expect(exportJobId('t1', 'key-1')).toBe(exportJobId('t1', 'key-1'));
    expect(exportJobId('t1', 'key-1')).not.toBe(exportJobId('t2', 'key-1'));
    expect(exportJobId('t1', 'key-1')).not.toBe(exportJobId('t1', 'key-2'));
    expect(exportJobId('t1')).not.toBe(exportJobId('t1'));
  });
});
