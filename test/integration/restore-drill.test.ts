import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { type DrillReport, runRestoreDrill } from '../../scripts/restore-drill-lib.js';
import { call, createTenant, outboxDrained, uniqueEmail } from '../support/api.js';
import { TEST_BUCKET, TEST_TABLE } from '../support/aws.js';
import { ekycImages } from '../support/ekyc-test-server.js';
import { createAndSend, getEnvelope, latestLinkToken, signWith } from '../support/workflow.js';

const run = promisify(execFile);
const REGION = 'ap-southeast-1';
const aws = () => ({ endpoint: inject('awsEndpoint'), region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

/** S3 keeps LastModified to the second: wait (≤ 1 s, bounded) until the next second begins so "before" and "after" differ. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));

describe('restore drill (issue 17)', () => {
  it('restores the table and the bucket (documents and identity images) as of a time, checks chains and hashes; later overwrites and an edited audit event are reported', async () => {
    const { tenantId, apiKey: key } = await createTenant('Công ty Diễn Tập');
    const email = uniqueEmail('drill');
    const name = 'Phạm Văn Diễn';
    // The signer proves their identity (ID card + selfie, stored under identity/<tenant>/…, hashes in the evidence).
    const env = await createAndSend(key, [{ name, email, identity: { required: true } }], { contractKind: 'serviceContract' });
    const token = await latestLinkToken(email);
    const person = { id: `0790990${String(Date.now()).slice(-5)}`, name, dob: '1990-02-03' };
    const proved = await call('POST', `/v1/sign/${token}/identity/document`, { json: ekycImages(person) });
    expect(proved.status, JSON.stringify(proved.body)).toBe(200);
    expect((await signWith(token, name)).status).toBe(200);
    await outboxDrained(); // head signature and archive
    expect((await getEnvelope(key, env.id)).body.status).toBe('completed');
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(aws()));
    const stored = await dynamo.send(new GetCommand({ TableName: TEST_TABLE, Key: { pk: `TENANT#${tenantId}`, sk: `ENV#${env.id}` } }));
    const finalKey = ((stored.Item?.documents ?? []) as { key: string }[])[0]?.key as string; // the API does not show store keys

    await nextSecond();
    const at = new Date();
    await nextSecond();
    // After the drill's point in time the final document gets a bad new version (a locked version cannot be
    // changed or deleted, but a new one can be put on top): a restore "as of now" would bring it back.
    const s3 = new S3Client({ ...aws(), forcePathStyle: true });
    await s3.send(
      new PutObjectCommand({ Bucket: TEST_BUCKET, Key: finalKey, Body: new TextEncoder().encode('%PDF-1.7 not the signed one') }),
    );
    // …and so does the ID card's front image.
    const images =
      (await s3.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: `identity/${tenantId}/${env.id}/` }))).Contents ?? [];
    expect(images.map((i) => (i.Key as string).split('/').at(-1)).sort()).toEqual(['back', 'front', 'selfie']);
    const frontKey = images.find((i) => i.Key?.endsWith('/front'))?.Key as string;
    await s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: frontKey, Body: new TextEncoder().encode('someone else’s card') }));

    // The script, as an operator runs it (npm run restore-drill), at the time before the overwrite.
    const cli = await run('npx', ['tsx', 'scripts/restore-drill.ts', '--at', at.toISOString(), '--tenant', tenantId], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: inject('awsEndpoint'),
        AWS_REGION: REGION,
        KYSO_TABLE: TEST_TABLE,
        KYSO_BUCKET: TEST_BUCKET,
      },
      timeout: 120_000,
    });
    const report = JSON.parse(cli.stdout) as DrillReport;
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // + certificate and audit export; the three identity images, as the evidence's SHA-256 say
    expect(report.checked).toMatchObject({ envelopes: 1, documents: 1, archivedObjects: 2, identityImages: 3, identityImagesGone: 0 });
    expect(report.checked.auditEvents).toBeGreaterThan(5);
    expect(report.bucket.notYetThere).toBe(2); // the bad versions, left out
    expect(report.bucket.objects).toBeGreaterThanOrEqual(7); // original upload, final revision, certificate, audit export, 3 images

    // Someone edits an audit event in the live table: the next drill (as of now) reports it, and the overwritten document.
    await dynamo.send(
      new UpdateCommand({
        TableName: TEST_TABLE,
        Key: { pk: `TENANT#${tenantId}#ENV#${env.id}`, sk: 'AUDIT#0000000002' },
        UpdateExpression: 'SET #a = :a',
        ExpressionAttributeNames: { '#a': 'action' },
        ExpressionAttributeValues: { ':a': 'envelope.nothing_happened' },
      }),
    );
    const stamp = `${Date.now()}`;
    const now = await runRestoreDrill({
      dynamo: new DynamoDBClient(aws()),
      doc: dynamo,
      s3,
      kms: new KMSClient(aws()),
      region: REGION,
      table: TEST_TABLE,
      bucket: TEST_BUCKET,
      at: new Date(),
      targetTable: `${TEST_TABLE}-drill-t${stamp}`,
      targetBucket: `${TEST_BUCKET}-drill-t${stamp}`,
      tenantId,
      keyAliasPrefix: 'alias/kyso',
      pollMs: 100,
      waitMs: 30_000,
      cleanup: true,
    });
    expect(now.ok).toBe(false);
    expect(now.problems.map((p) => p.kind).sort()).toEqual(['audit', 'document-hash', 'identity-image-hash']);
    expect(now.problems.find((p) => p.kind === 'identity-image-hash')?.key).toBe(
      frontKey.slice(0, frontKey.lastIndexOf('/', frontKey.lastIndexOf('/') - 1) + 1),
    );
    expect(now.problems.find((p) => p.kind === 'audit')?.detail).toMatch(/breaks at event 2/);
    expect(now.problems.find((p) => p.kind === 'document-hash')?.key).toBe(finalKey);
    // Both drills removed their targets.
    expect(
      ((await new DynamoDBClient(aws()).send(new ListTablesCommand({}))).TableNames ?? []).filter((t) => t.includes('-drill-')),
    ).toEqual([]);
    expect(((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).filter((b) => b.Name?.includes('-drill-'))).toEqual([]);
  });
});
