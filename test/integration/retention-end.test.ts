import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { call, createTenant, outboxDrained, uniqueEmail } from '../support/api.js';
import { TEST_BUCKET as Bucket, localS3 } from '../support/aws.js';
import { createAndSend, latestLinkToken, runScheduler, signWith } from '../support/workflow.js';

interface Got {
  status: string;
  recipients: { name: string; email: string }[];
  retention?: { retainUntil: string; atEnd: string; ended?: { at: string; action: string } };
}
interface Trail {
  events: { action: string; data?: Record<string, unknown> }[];
}

const s3 = localS3();
const versionsOf = async (tenantId: string, envelopeId: string) =>
  (await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: `tenants/${tenantId}/envelopes/${envelopeId}/` }))).Versions ?? [];

/** A contract that ended two years ago under a one-year class: its retention ran out a year ago (S3's clock agrees). */
const twoYearsAgo = () => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - 2);
  return d.toISOString().slice(0, 10);
};

const completed = async (key: string, who: { name: string; email: string }, extra: Record<string, unknown>) => {
  const env = await createAndSend(key, [who], extra);
  expect((await signWith(await latestLinkToken(who.email), who.name)).status).toBe(200);
  await outboxDrained();
  return env.id;
};

describe('end of retention: the sweep acts on atEnd', () => {
  it('delete: archived objects (all versions) and personal data go, the chain still verifies; review: listed, nothing deleted; each audited once', async () => {
    const tenant = await createTenant('Công ty Hết Hạn Lưu Trữ');
    const key = tenant.apiKey;
    const set = await call('PUT', '/v1/settings', {
      key,
      json: {
        retention: {
          serviceContract: { years: 1, from: 'contractEnd', atEnd: 'delete' },
          other: { years: 1, from: 'contractEnd', atEnd: 'review' },
        },
      },
    });
    expect(set.status).toBe(200);
    const ended = twoYearsAgo();
    const gone = { name: 'Phạm Thị Xóa', email: uniqueEmail('xoa') };
    const kept = { name: 'Đỗ Văn Xét', email: uniqueEmail('xet') };
    const toDelete = await completed(key, gone, { contractKind: 'serviceContract', contractEndsAt: ended });
    const toReview = await completed(key, kept, { contractKind: 'other', contractEndsAt: ended });
    const before = await call<Got>('GET', `/v1/envelopes/${toDelete}`, { key });
    expect(before.body.retention?.atEnd).toBe('delete');
    expect(new Date(before.body.retention?.retainUntil as string).getTime()).toBeLessThan(Date.now());
    // Not asserted: that the objects are still there. Another file's retention sweep (one server for
    // the whole run) may already have acted on this envelope; what follows holds either way.

    const now = new Date();
    const first = await runScheduler('retention', now);
    expect(first.status).toBe(200);
    expect(first.body.acted).toBeGreaterThanOrEqual(2);
    await outboxDrained();
    await runScheduler('retention', now); // idempotent: nothing more happens, nothing audited twice
    await outboxDrained();

    const deleted = await call<Got>('GET', `/v1/envelopes/${toDelete}`, { key });
    expect(deleted.body.status).toBe('completed');
    expect(deleted.body.retention?.ended?.action).toBe('delete');
    expect(deleted.body.recipients[0]?.name).toBe('[đã xóa]');
    expect(deleted.body.recipients[0]?.email).toBe('');
    expect(await versionsOf(tenant.tenantId, toDelete)).toEqual([]);
    const trail = await call<Trail>('GET', `/v1/envelopes/${toDelete}/audit`, { key });
    expect(trail.body.events.filter((e) => e.action === 'envelope.retention_ended')).toHaveLength(1);
    expect(trail.body.events.filter((e) => e.action === 'data_subject.erased')).toHaveLength(1);
    expect(JSON.stringify(trail.body)).not.toContain(gone.email);
    const verified = await call<{ ok: boolean }>('GET', `/v1/envelopes/${toDelete}/audit/verify`, { key });
    expect(verified.status).toBe(200);
    expect(verified.body.ok, JSON.stringify(verified.body)).toBe(true);

    const reviewed = await call<Got>('GET', `/v1/envelopes/${toReview}`, { key });
    expect(reviewed.body.retention?.ended?.action).toBe('review');
    expect(reviewed.body.recipients[0]?.email).toBe(kept.email);
    expect((await versionsOf(tenant.tenantId, toReview)).length).toBeGreaterThan(0);
    const reviewTrail = await call<Trail>('GET', `/v1/envelopes/${toReview}/audit`, { key });
    expect(reviewTrail.body.events.filter((e) => e.action === 'envelope.retention_ended')).toHaveLength(1);
  });
});
