import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { call, createTenant, outboxDrained, uniqueEmail } from '../support/api.js';
import { TEST_BUCKET as Bucket, localS3 } from '../support/aws.js';
import { createAndSend, type ErrorBody, latestLinkToken, signWith } from '../support/workflow.js';

interface Archived {
  id: string;
  status: string;
  completedAt: string;
  retention?: { kind: string; retainUntil: string; atEnd: string; mode: string; lockedObjects: number };
  legalHold?: { reason: string };
}

const s3 = localS3();

const versionsOf = async (tenantId: string, envelopeId: string) =>
  (await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: `tenants/${tenantId}/envelopes/${envelopeId}/` }))).Versions ?? [];

const deleteVersion = async (Key: string, VersionId: string | undefined) => {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId }));
    return 'deleted';
  } catch (e) {
    return (e as { name: string }).name;
  }
};

describe('retention classes, Object Lock at completion, legal hold', () => {
  it('locks the final documents, the certificate and the audit export until the class date, and refuses their deletion', async () => {
    const tenant = await createTenant('Công ty Lưu Trữ');
    const key = tenant.apiKey;
    const set = await call<{ retention: Record<string, { years: number; from: string; atEnd: string }> }>('PUT', '/v1/settings', {
      key,
      json: { retention: { labourContract: { years: 5, from: 'contractEnd', atEnd: 'delete' } } },
    });
    expect(set.status).toBe(200);
    expect(set.body.retention.labourContract).toEqual({ years: 5, from: 'contractEnd', atEnd: 'delete' });
    expect(set.body.retention.serviceContract?.years).toBe(10); // a default the tenant left alone
    const bad = await call<ErrorBody>('PUT', '/v1/settings', { key, json: { retention: { labourContract: { years: 0, atEnd: 'keep' } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');

    const worker = { name: 'Trần Thị Lưu', email: uniqueEmail('luu') };
    const env = await createAndSend(key, [worker], { contractKind: 'labourContract', contractEndsAt: '2027-06-30' });
    expect((await signWith(await latestLinkToken(worker.email), worker.name)).status).toBe(200);

    await outboxDrained(); // the archive is an effect of completion (the worker's)
    const got = await call<Archived>('GET', `/v1/envelopes/${env.id}`, { key });
    expect(got.body.status).toBe('completed');
    expect(got.body.retention).toMatchObject({
      kind: 'labourContract',
      retainUntil: '2032-06-30T00:00:00.000Z',
      atEnd: 'delete',
      mode: 'GOVERNANCE',
    });
    expect(got.body.retention?.lockedObjects).toBe(3); // the final document, the certificate of completion, the audit export

    const versions = await versionsOf(tenant.tenantId, env.id);
    const locked = [];
    for (const v of versions) {
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: v.Key, VersionId: v.VersionId }));
      if (head.ObjectLockRetainUntilDate) locked.push({ key: v.Key as string, version: v.VersionId, head });
    }
    expect(
      locked
        .map((l) =>
          l.key
            .split('/')
            .slice(4)
            .join('/')
            .replace(/[0-9a-f]{64}/, 'H'),
        )
        .sort(),
    ).toEqual(
      [
        'audit-trail/H.json',
        'certificate/H.pdf',
        `${(got.body as unknown as { documents: { id: string }[] }).documents[0]?.id}/H.pdf`,
      ].sort(),
    );
    for (const l of locked) {
      expect(l.head.ObjectLockMode).toBe('GOVERNANCE');
      expect(l.head.ObjectLockRetainUntilDate?.toISOString()).toBe('2032-06-30T00:00:00.000Z');
      // GetObjectRetention is what real S3 answers; moto 5.2 does not implement it (it returns the object body).
      const retention = await s3.send(new GetObjectRetentionCommand({ Bucket, Key: l.key, VersionId: l.version })).catch(() => undefined);
      if (retention) expect(retention.Retention?.RetainUntilDate?.toISOString()).toBe('2032-06-30T00:00:00.000Z');
      expect(await deleteVersion(l.key, l.version)).toBe('AccessDenied');
    }
    const trail = await call<{ events: { action: string; data?: Record<string, unknown> }[] }>('GET', `/v1/envelopes/${env.id}/audit`, {
      key,
    });
    const archived = trail.body.events.find((e) => e.action === 'envelope.archived');
    expect(archived?.data).toMatchObject({ retainUntil: '2032-06-30T00:00:00.000Z', kind: 'labourContract', objects: 3 });
  });

  it('legal hold: set and cleared on every object of the envelope, blocks deletion, audited, tenant-scoped', async () => {
    const tenant = await createTenant('Công ty Tranh Chấp');
    const other = await createTenant('Công ty Khác');
    const key = tenant.apiKey;
    const a = { name: 'Lê Văn Giữ', email: uniqueEmail('giu') };
    const env = await createAndSend(key, [a]);

    expect((await call<ErrorBody>('POST', `/v1/envelopes/${env.id}/legal-hold`, { key, json: {} })).status).toBe(400);
    expect((await call<ErrorBody>('POST', `/v1/envelopes/${env.id}/legal-hold`, { key: other.apiKey, json: { reason: 'x' } })).status).toBe(
      404,
    );
    expect((await call<ErrorBody>('DELETE', `/v1/envelopes/${env.id}/legal-hold`, { key })).body.error.code).toBe('no_legal_hold');

    const held = await call<{ objects: number; envelope: Archived }>('POST', `/v1/envelopes/${env.id}/legal-hold`, {
      key,
      json: { reason: 'Tranh chấp lao động số 12/2026' },
    });
    expect(held.status).toBe(200);
    const versions = await versionsOf(tenant.tenantId, env.id);
    expect(held.body.objects).toBe(versions.length);
    expect(held.body.envelope.legalHold?.reason).toBe('Tranh chấp lao động số 12/2026');
    const again = await call<ErrorBody>('POST', `/v1/envelopes/${env.id}/legal-hold`, { key, json: { reason: 'lần hai' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('legal_hold_exists');

    // The uploaded original has no retention: only the hold stops its deletion.
    const original = versions[0];
    const hold = await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: original?.Key, VersionId: original?.VersionId }));
    expect(hold.LegalHold?.Status).toBe('ON');
    expect(await deleteVersion(original?.Key as string, original?.VersionId)).toBe('AccessDenied');

    const cleared = await call<{ objects: number }>('DELETE', `/v1/envelopes/${env.id}/legal-hold`, { key });
    expect(cleared.status).toBe(200);
    const after = await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: original?.Key, VersionId: original?.VersionId }));
    expect(after.LegalHold?.Status).toBe('OFF');

    const trail = await call<{ events: { action: string; data?: Record<string, unknown> }[] }>('GET', `/v1/envelopes/${env.id}/audit`, {
      key,
    });
    const actions = trail.body.events.map((e) => e.action);
    expect(actions).toContain('envelope.legal_hold_set');
    expect(actions).toContain('envelope.legal_hold_cleared');
  });
});
