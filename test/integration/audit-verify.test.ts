import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { call, outboxDrained, uniqueEmail } from '../support/api.js';
import { createAndSend, devKey, latestLinkToken, signWith } from '../support/workflow.js';

interface Verification {
  ok: boolean;
  events: number;
  chain: { ok: boolean; brokenAt?: number };
  headSignatures: { seq: number; signatureValid: boolean; matchesEvent: boolean; platformKey: boolean; keyId?: string }[];
  problems: string[];
}

const dynamo = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: inject('awsEndpoint'),
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );

describe('audit trail verification', () => {
  it('signs the chain head at completion, verifies it, and reports an event edited in DynamoDB', async () => {
    const key = devKey();
    const a = { name: 'Kiểm Toán', email: uniqueEmail('audit') };
    const env = await createAndSend(key, [a]);
    const pending = await call<Verification>('GET', `/v1/envelopes/${env.id}/audit/verify`, { key });
    expect(pending.body.ok).toBe(true);
    expect(pending.body.headSignatures).toHaveLength(0);

    expect((await signWith(await latestLinkToken(a.email), a.name)).status).toBe(200);
    // The head signature is owed by the completing commit and done by the worker (the outbox).
    expect((await outboxDrained({ envelopeId: env.id })).owed).toBe(0);
    const good = await call<Verification>('GET', `/v1/envelopes/${env.id}/audit/verify`, { key });
    expect(good.status).toBe(200);
    expect(good.body.ok, JSON.stringify(good.body)).toBe(true);
    expect(good.body.chain.ok).toBe(true);
    expect(good.body.headSignatures).toHaveLength(1);
    const head = good.body.headSignatures[0];
    expect(head?.signatureValid && head.matchesEvent && head.platformKey).toBe(true);
    // The signed head is followed by its audit.head_signed event and the archive's envelope.archived (issue 17).
    expect(head?.seq).toBe(good.body.events - 2);
    expect(head?.keyId).toBeTruthy();

    // Someone with table access rewrites history: the IP of event 2 (envelope.sent).
    await dynamo().send(
      new UpdateCommand({
        TableName: 'kyso',
        Key: { pk: `TENANT#dev#ENV#${env.id}`, sk: `AUDIT#${String(2).padStart(10, '0')}` },
        UpdateExpression: 'SET ip = :ip',
        ExpressionAttributeValues: { ':ip': '203.0.113.66' },
      }),
    );
    const broken = await call<Verification>('GET', `/v1/envelopes/${env.id}/audit/verify`, { key });
    expect(broken.status).toBe(200);
    expect(broken.body.ok).toBe(false);
    expect(broken.body.chain).toEqual({ ok: false, brokenAt: 2 });
    expect(broken.body.problems.join(' ')).toMatch(/breaks at event 2/);
  });

  it('reports a forged head signature', async () => {
    const key = devKey();
    const a = { name: 'Giả Mạo', email: uniqueEmail('forge') };
    const env = await createAndSend(key, [a]);
    await signWith(await latestLinkToken(a.email), a.name);
    expect((await outboxDrained({ envelopeId: env.id })).owed).toBe(0);
    const good = await call<Verification>('GET', `/v1/envelopes/${env.id}/audit/verify`, { key });
    const seq = (good.body.headSignatures[0]?.seq ?? 0) + 1; // the audit.head_signed event
    await dynamo().send(
      new UpdateCommand({
        TableName: 'kyso',
        Key: { pk: `TENANT#dev#ENV#${env.id}`, sk: `AUDIT#${String(seq).padStart(10, '0')}` },
        UpdateExpression: 'SET #d.#s = :s',
        ExpressionAttributeNames: { '#d': 'data', '#s': 'signature' },
        ExpressionAttributeValues: { ':s': Buffer.from('forged').toString('base64') },
      }),
    );
    const r = await call<Verification>('GET', `/v1/envelopes/${env.id}/audit/verify`, { key });
    expect(r.body.ok).toBe(false);
    expect(r.body.headSignatures[0]?.signatureValid).toBe(false);
  });
});
