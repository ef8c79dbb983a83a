import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/aws/clients.js';
import { dynamoTenantRepository } from '../../../functions/aws/dynamo-repositories.js';
import {
  awsCallTotals,
  currentRequestScope,
  forgetInRequest,
  formatAwsCalls,
  memoInRequest,
  runInRequestScope,
} from '../../../functions/request-scope.js';

/** A local endpoint that answers every AWS call with a 400 (no network beyond loopback) and counts what it received. */
const withEndpoint = async <T>(answer: (target: string) => unknown, fn: (endpoint: string, received: string[]) => Promise<T>) => {
  const received: string[] = [];
  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    received.push(target);
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer(target)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, received);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
};

const clientsAt = (endpoint: string) =>
  createAwsClients({ region: 'ap-southeast-1', endpoint, endpointCredentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

describe('AWS calls counted by service and operation (x-kyso-aws-calls, GET /dev/aws-calls)', () => {
  it('counts each call of a request once by Service.Operation, and every call in the process totals', async () => {
    await withEndpoint(
      () => ({}),
      async (endpoint) => {
        const clients = clientsAt(endpoint);
        const before = awsCallTotals();
        const calls = await runInRequestScope('req-a', async () => {
          await clients.rawDynamo.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } }));
          await clients.rawDynamo.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'b' } } }));
          await clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/a' })).catch(() => undefined);
          return new Map(currentRequestScope()?.awsCalls);
        });
        expect(Object.fromEntries(calls)).toEqual({ 'DynamoDB.GetItem': 2, 'KMS.DescribeKey': 1 });
        expect(formatAwsCalls(calls)).toBe('DynamoDB.GetItem=2, KMS.DescribeKey=1');
        // Outside a request (a job): only the process totals count it.
        await clients.rawDynamo.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'c' } } }));
        const after = awsCallTotals();
        expect((after['DynamoDB.GetItem'] ?? 0) - (before['DynamoDB.GetItem'] ?? 0)).toBe(3);
        expect((after['KMS.DescribeKey'] ?? 0) - (before['KMS.DescribeKey'] ?? 0)).toBe(1);
      },
    );
  });
});

describe('reads remembered for one request', () => {
  it('loads once per request and key, forgets failures and what was forgotten, and never outside a request', async () => {
    let loads = 0;
    const load = async () => ++loads;
    await runInRequestScope('req-m', async () => {
      expect(await Promise.all([memoInRequest('k', load), memoInRequest('k', load)])).toEqual([1, 1]);
      expect(await memoInRequest('other', load)).toBe(2);
      forgetInRequest('k');
      expect(await memoInRequest('k', load)).toBe(3);
      await expect(memoInRequest('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
      expect(await memoInRequest('bad', load)).toBe(4);
    });
    // Another request does not see the first one's answers.
    expect(await runInRequestScope('req-n', () => memoInRequest('k', load))).toBe(5);
    expect(await memoInRequest('k', load)).toBe(6);
    expect(await memoInRequest('k', load)).toBe(7);
  });

  it('the tenant is read from the table once per request, and again after the request writes it', async () => {
    const item = { pk: { S: 'TENANT#t1' }, sk: { S: 'TENANT' }, id: { S: 't1' }, name: { S: 'Công ty A' } };
    await withEndpoint(
      (target) => (target.endsWith('GetItem') ? { Item: item } : {}),
      async (endpoint, received) => {
        const tenants = dynamoTenantRepository({ client: clientsAt(endpoint).dynamo, tableName: 'kyso' });
        await runInRequestScope('req-t', async () => {
          expect((await tenants.get('t1'))?.name).toBe('Công ty A');
          await tenants.get('t1');
          await tenants.get('t1');
          expect(received.filter((t) => t.endsWith('GetItem'))).toHaveLength(1);
          await tenants.create({ id: 't1', name: 'Công ty A' } as never);
          await tenants.get('t1');
          expect(received.filter((t) => t.endsWith('GetItem'))).toHaveLength(2);
        });
        // Each request reads it afresh (a settings change made by another request is seen at once).
        await runInRequestScope('req-u', () => tenants.get('t1'));
        expect(received.filter((t) => t.endsWith('GetItem'))).toHaveLength(3);
      },
    );
  });
});
