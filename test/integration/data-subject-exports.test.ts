import { createHash } from 'node:crypto';
import { GetObjectTaggingCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, inject, it } from 'vitest';
import { call, createTenant, outboxDrained, uniqueEmail } from '../support/api.js';
import { TEST_BUCKET as Bucket, localDynamo, localS3, TEST_TABLE } from '../support/aws.js';
import { createAndSend, type ErrorBody, getEnvelope, latestLinkToken, signWith } from '../support/workflow.js';

interface Job {
  id: string;
  status: 'pending' | 'ready' | 'failed' | 'expired';
  requestId: string;
  requestedBy: { type: string; id: string };
  size: { envelopes: number; documents: number };
  expiresAt?: string;
  bytes?: number;
  sha256?: string;
  download?: { url: string; expiresAt: string };
  error?: { code: string };
}
interface ExportJson {
  format: string;
  subject: { kind: string; value: string };
  request: { id: string; kind: string };
  envelopes: { id: string; status: string; documents: { id: string; sha256: string; path: string; url?: string }[] }[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const s3 = localS3();
const sqs = new SQSClient({
  endpoint: inject('awsEndpoint'),
  region: 'ap-southeast-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

/** Polls the job (bounded: 60 × 250 ms) until it is no longer pending. */
const untilDone = async (key: string, id: string): Promise<Job> => {
  for (let i = 0; i < 60; i++) {
    const r = await call<Job>('GET', `/v1/data-subjects/exports/${id}`, { key });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (r.body.status !== 'pending') return r.body;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`export ${id} still pending after 15 s`);
};

/** Waits (bounded) until the local exports queue holds nothing, visible or in flight. */
const queueIdle = async (QueueUrl: string) => {
  for (let i = 0; i < 60; i++) {
    const a = (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      )
    ).Attributes;
    if (a?.ApproximateNumberOfMessages === '0' && a?.ApproximateNumberOfMessagesNotVisible === '0') return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('the exports queue did not drain');
};

describe('asynchronous personal-data exports (issue 17)', () => {
  it('a large export is a job: 202 + Location, same job for the same Idempotency-Key, polled to ready, a ZIP whose PDFs match; other tenants get 404; a repeated job changes nothing', async () => {
    const { tenantId, apiKey: key } = await createTenant('Công ty Xuất Dữ Liệu');
    const other = await createTenant('Công ty Bên Ngoài');
    const email = uniqueEmail('xuat.du.lieu');
    const name = 'Trần Thị Xuân';
    const first = await createAndSend(key, [{ name, email }]);
    const t1 = await latestLinkToken(email);
    const second = await createAndSend(key, [{ name, email }], { title: 'Phụ lục hợp đồng' });
    const t2 = await latestLinkToken(email);
    expect((await signWith(t1, name)).status).toBe(200);
    expect((await signWith(t2, name)).status).toBe(200);
    await outboxDrained();

    // Small under the deployment's limits: answered at once (links).
    const small = await call<ExportJson>('POST', '/v1/data-subjects/export', { key, json: { email } });
    expect(small.status).toBe(200);
    expect(small.body.envelopes.flatMap((e) => e.documents)).toHaveLength(2);

    // The same export with a lower limit for this request (2 documents > 1): a job.
    const ask = (idempotencyKey: string) =>
      call<Job>('POST', '/v1/data-subjects/export', {
        key,
        json: { email, syncLimits: { documents: 1 } },
        headers: { 'idempotency-key': idempotencyKey },
      });
    const idem = `export-${Date.now()}`;
    const started = await ask(idem);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.size).toEqual({ envelopes: 2, documents: 2 });
    expect(['pending', 'ready']).toContain(started.body.status);
    expect(started.body.requestedBy.type).toBe('api-key');
    const id = started.body.id;
    expect(started.headers.get('location')).toBe(`/v1/data-subjects/exports/${id}`);
    expect(JSON.stringify(started.body)).not.toContain(email);
    // A retry with the same key: the same job.
    const retried = await ask(idem);
    expect(retried.status).toBe(202);
    expect(retried.body.id).toBe(id);

    // Another tenant cannot see it, nor can an unknown id be found.
    const theirs = await call<ErrorBody>('GET', `/v1/data-subjects/exports/${id}`, { key: other.apiKey });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('data_subject_request_not_found');
    expect((await call<ErrorBody>('GET', '/v1/data-subjects/exports/nope', { key })).status).toBe(404);

    const job = await untilDone(key, id);
    expect(job.status, JSON.stringify(job)).toBe('ready');
    expect(job.download?.url).toMatch(/^http/);
    expect(Date.parse(job.download?.expiresAt as string) - Date.now()).toBeLessThanOrEqual(300_000);
    expect(Date.parse(job.expiresAt as string) - Date.now()).toBeGreaterThan(2.9 * 86_400_000);

    // The archive: downloaded through the presigned link, the same JSON format, the PDFs as signed.
    const res = await fetch(job.download?.url as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = new Uint8Array(await res.arrayBuffer());
    expect(sha256(zip)).toBe(job.sha256);
    expect(zip.length).toBe(job.bytes);
    const files = unzipSync(zip);
    const body = JSON.parse(strFromU8(files['export.json'] as Uint8Array)) as ExportJson;
    expect(body.format).toBe('kyso-data-subject-export/v1');
    expect(body.subject).toEqual({ kind: 'email', value: email });
    expect(body.request).toMatchObject({ id, kind: 'export' });
    expect(body.envelopes.map((e) => e.id).sort()).toEqual([first.id, second.id].sort());
    for (const envelope of body.envelopes) {
      const current = (await getEnvelope(key, envelope.id)).body;
      expect(envelope.status).toBe('completed');
      expect(envelope.documents).toHaveLength(1);
      for (const d of envelope.documents) {
        expect(d.url).toBeUndefined();
        const pdf = files[d.path] as Uint8Array;
        expect(new TextDecoder().decode(pdf.slice(0, 5))).toBe('%PDF-');
        expect(sha256(pdf)).toBe(d.sha256);
        expect(d.sha256).toBe(current.documents.find((x) => x.id === d.id)?.sha256);
        expect(small.body.envelopes.find((e) => e.id === envelope.id)?.documents[0]?.sha256).toBe(d.sha256);
      }
    }
    expect(Object.keys(files).sort()).toEqual(['export.json', ...body.envelopes.flatMap((e) => e.documents.map((d) => d.path))].sort());

    // Stored under the tenant's prefix, tagged for the bucket's lifecycle rule (deleted after 3 days).
    const archiveKey = `tenants/${tenantId}/data-subject-exports/${id}.zip`;
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket, Key: archiveKey }));
    expect(tags.TagSet).toEqual([{ Key: 'kyso-personal-export', Value: 'true' }]);

    // The job delivered again (SQS is at least once): nothing is written twice.
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${TEST_TABLE}-exports` }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ tenantId, jobId: id }) }));
    await queueIdle(QueueUrl as string);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: archiveKey }));
    expect(versions.Versions ?? []).toHaveLength(1);
    for (const envelope of [first, second]) {
      const trail = await call<{ events: { action: string; data?: { requestId?: string } }[] }>(
        'GET',
        `/v1/envelopes/${envelope.id}/audit`,
        { key },
      );
      expect(trail.body.events.filter((e) => e.action === 'data_subject.exported' && e.data?.requestId === id)).toHaveLength(1);
      expect((await call<{ ok: boolean }>('GET', `/v1/envelopes/${envelope.id}/audit/verify`, { key })).body.ok).toBe(true);
    }
    expect((await call<Job>('GET', `/v1/data-subjects/exports/${id}`, { key })).body.sha256).toBe(job.sha256);

    // Listed with the other requests (who asked, when, the job's status), once; not the other tenant's.
    const list = await call<{
      items: { id: string; kind: string; requestedBy: { type: string }; export?: { jobId: string; status: string } }[];
    }>('GET', '/v1/data-subjects/requests', { key });
    expect(list.body.items.map((r) => [r.kind, r.export?.status])).toEqual([
      ['export', 'ready'],
      ['export', undefined],
    ]);
    expect(list.body.items[0]).toMatchObject({ id, requestedBy: { type: 'api-key' }, export: { jobId: id, status: 'ready' } });
    expect((await call<{ items: unknown[] }>('GET', '/v1/data-subjects/requests', { key: other.apiKey })).body.items).toEqual([]);
    // The request log (hash-chained) holds it once.
    const log = await localDynamo().send(
      new QueryCommand({
        TableName: TEST_TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}#ENV#data-subject-requests`, ':a': 'AUDIT#' },
      }),
    );
    expect((log.Items ?? []).filter((e) => e.data?.requestId === id).map((e) => e.action)).toEqual(['data_subject.export']);
  });

  it('refuses limits that are not counts, and never raises the deployment’s', async () => {
    const { apiKey: key } = await createTenant('Công ty Giới Hạn');
    const bad = await call<ErrorBody>('POST', '/v1/data-subjects/export', {
      key,
      json: { email: 'a@example.vn', syncLimits: { documents: -1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const unknown = await call<ErrorBody>('POST', '/v1/data-subjects/export', {
      key,
      json: { email: 'a@example.vn', syncLimits: { pages: 1 } },
    });
    expect(unknown.status).toBe(400);
    // Nobody to export, limits far above the deployment's: answered at once.
    const none = await call<ExportJson>('POST', '/v1/data-subjects/export', {
      key,
      json: { email: 'nobody@example.vn', syncLimits: { documents: 1_000_000, envelopes: 1_000_000 } },
    });
    expect(none.status).toBe(200);
    expect(none.body.envelopes).toEqual([]);
  });
});
