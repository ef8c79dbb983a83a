import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../functions/aws/aws-errors.js';
import { createDocumentClient, type DocumentClient } from '../../../functions/aws/dynamo-document-client.js';
import { isConditionFailure, isTransactionConditionFailure } from '../../../functions/aws/dynamo-table.js';
import { signV4 } from '../../../functions/aws/sigv4.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/** A DynamoDB endpoint in this process: records each request and answers with what the test queued (else `{}`). */
interface Answer {
  readonly status?: number;
  readonly body?: unknown;
  /** Never answers (a hung endpoint). */
  readonly hang?: boolean;
}
const fake = () => {
  const requests: { target: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }[] = [];
  const answers: Answer[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        target: String(req.headers['x-amz-target']),
        body: JSON.parse(Buffer.concat(chunks).toString()),
        headers: req.headers,
      });
      const a = answers.shift() ?? {};
      if (a.hang) return;
      res.writeHead(a.status ?? 200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `r${requests.length}` });
      res.end(JSON.stringify(a.body ?? {}));
    });
  });
  return { server, requests, answers };
};

/** What lib-dynamodb + the SDK would put on the wire for a command, and make of an answer: the oracle. */
const sdkOracle = () => {
  let lastBody: Record<string, unknown> = {};
  let answer: unknown = {};
  const raw = new DynamoDBClient({
    region: 'ap-southeast-1',
    credentials,
    endpoint: 'http://127.0.0.1:9',
    requestHandler: {
      handle: async (request: { body: string }) => {
        lastBody = JSON.parse(request.body);
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: new Uint8Array(Buffer.from(JSON.stringify(answer))),
          },
        };
      },
    } as never,
  });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    run: async (command: unknown, withAnswer: unknown) => {
      answer = withAnswer;
      const { $metadata: _m, ...output } = (await doc.send(command as never)) as Record<string, unknown>;
      return { body: lastBody, output };
    },
  };
};

const item = {
  pk: 'TENANT#t1',
  sk: 'ENVELOPE#e1',
  title: 'Hợp đồng lao động',
  version: 7,
  ratio: 0.25,
  sent: true,
  nothing: null,
  skipped: undefined,
  recipients: [{ id: 'r1', name: 'Nguyễn Văn An', order: 1, note: undefined }],
  nested: { a: { b: [1, 'x', { c: false }] } },
  bytes: new Uint8Array([0, 1, 2, 250, 255]),
  tags: new Set(['a', 'b']),
};

const commands = () => [
  new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' }, ConsistentRead: true }),
  new PutCommand({ TableName: 't', Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
  new UpdateCommand({
    TableName: 't',
    Key: { pk: 'a', sk: 'b' },
    UpdateExpression: 'ADD #n :one SET #l = :list',
    ExpressionAttributeNames: { '#n': 'n', '#l': 'l' },
    ExpressionAttributeValues: { ':one': 1, ':list': [{ x: 1 }], ':gone': undefined },
    ReturnValues: 'ALL_NEW',
  }),
  new DeleteCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' }, ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': 3 } }),
  new QueryCommand({
    TableName: 't',
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': 'a' },
    ExclusiveStartKey: { pk: 'a', sk: 'm' },
  }),
  new BatchWriteCommand({
    RequestItems: { t: [{ PutRequest: { Item: { pk: 'a', sk: '1', n: 2 } } }, { DeleteRequest: { Key: { pk: 'a', sk: '2' } } }] },
  }),
  new BatchGetCommand({ RequestItems: { t: { Keys: [{ pk: 'a', sk: '1' }], ConsistentRead: true } } }),
  new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: 't', Item: { pk: 'a', sk: '1', doc: { x: [1, 2] } }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Update: { TableName: 't', Key: { pk: 'a', sk: '2' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 'y' } } },
      {
        ConditionCheck: {
          TableName: 't',
          Key: { pk: 'a', sk: '3' },
          ConditionExpression: 'v = :v',
          ExpressionAttributeValues: { ':v': 1 },
        },
      },
      { Delete: { TableName: 't', Key: { pk: 'a', sk: '4' } } },
    ],
  }),
];

/** Answers in DynamoDB JSON for each command above (the same order), with binary as base64. */
const answersFor = [
  {
    Item: {
      pk: { S: 'a' },
      bytes: { B: Buffer.from([9, 8]).toString('base64') },
      n: { N: '12' },
      m: { M: { l: { L: [{ BOOL: true }, { NULL: true }] } } },
    },
  },
  {},
  { Attributes: { n: { N: '3' }, ss: { SS: ['x', 'y'] } } },
  {},
  { Items: [{ pk: { S: 'a' }, sk: { S: 'n' } }], Count: 1, LastEvaluatedKey: { pk: { S: 'a' }, sk: { S: 'n' } } },
  { UnprocessedItems: { t: [{ PutRequest: { Item: { pk: { S: 'a' }, sk: { S: '1' } } } }] } },
  { Responses: { t: [{ pk: { S: 'a' }, sk: { S: '1' }, v: { N: '5' } }] }, UnprocessedKeys: {} },
  {},
];

describe('the DynamoDB document client (JSON protocol spoken directly)', () => {
  const { server, requests, answers } = fake();
  let client: DocumentClient;
  const options = (port: number, extra: Partial<Parameters<typeof createDocumentClient>[0]> = {}) => ({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'ap-southeast-1',
    credentials: async () => credentials,
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 300,
    sleep: async () => {},
    ...extra,
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    client = createDocumentClient(options(port));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('puts on the wire what lib-dynamodb does, and gives back what it would, for every command the adapters use', async () => {
    const oracle = sdkOracle();
    const all = commands();
    for (const [i, command] of all.entries()) {
      const expected = await oracle.run(command, answersFor[i]);
      answers.push({ body: answersFor[i] });
      const { $metadata, ...output } = (await client.send(command as never)) as Record<string, unknown>;
      const sent = requests.at(-1);
      // A transaction's idempotency token is random, and there in both.
      const token = (body: Record<string, unknown> | undefined) =>
        body?.ClientRequestToken ? { ClientRequestToken: expect.any(String) } : {};
      expect(sent?.body, command.constructor.name).toEqual({ ...expected.body, ...token(expected.body) });
      expect(output, command.constructor.name).toEqual(expected.output);
      expect($metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
    }
    expect(requests.map((r) => r.target)).toEqual(
      ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem', 'BatchGetItem', 'TransactWriteItems'].map(
        (op) => `DynamoDB_20120810.${op}`,
      ),
    );
    // Bytes went out as base64 and came back as bytes.
    expect((requests[1]?.body.Item as Record<string, { B?: string }> | undefined)?.bytes?.B).toBe(
      Buffer.from(item.bytes).toString('base64'),
    );
  });

  it('signs every request with SigV4 for dynamodb in the region', async () => {
    const signed = requests.at(-1)?.headers.authorization;
    expect(signed).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-southeast-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
  });

  it('throws DynamoDB’s errors by name, with their members, and does not retry a refusal', async () => {
    requests.length = 0;
    answers.push({
      status: 400,
      body: { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' },
    });
    const ccf = await client.send(new PutCommand({ TableName: 't', Item: { pk: 'a', sk: 'b' } })).catch((e: unknown) => e);
    expect(isConditionFailure(ccf)).toBe(true);
    expect(ccf).toMatchObject({
      message: 'The conditional request failed',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    answers.push({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: 'Transaction cancelled',
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }],
      },
    });
    const cancelled = await client.send(commands()[7] as never).catch((e: unknown) => e);
    expect((cancelled as Error).name).toBe('TransactionCanceledException');
    expect(isTransactionConditionFailure(cancelled)).toBe(true);
    expect(classifyAwsError(cancelled)).toBeUndefined();
    expect(requests).toHaveLength(2);
  });

  it('gives a transaction one idempotency token for all its attempts', async () => {
    requests.length = 0;
    answers.push({ status: 500, body: { __type: 'com.amazonaws.dynamodb#InternalServerError', message: 'oops' } }, {});
    await client.send(commands()[7] as never);
    const tokens = requests.map((r) => r.body.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
  });

  it('retries throttling and server failures, and says how many attempts it took', async () => {
    requests.length = 0;
    answers.push(
      { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' } },
      { status: 500, body: { __type: 'com.amazonaws.dynamodb#InternalServerError', message: 'oops' } },
      { body: { Item: { pk: { S: 'a' } } } },
    );
    const out = await client.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }));
    expect(out.Item).toEqual({ pk: 'a' });
    expect(out.$metadata.attempts).toBe(3);
    expect(requests).toHaveLength(3);
  });

  it('gives up after four attempts with an error the API answers 503 for', async () => {
    requests.length = 0;
    for (let i = 0; i < 4; i++) answers.push({ status: 503, body: 'Service Unavailable' });
    const err = await client.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })).catch((e: unknown) => e);
    expect(classifyAwsError(err)).toBe('server');
    expect(err).toMatchObject({ $metadata: { httpStatusCode: 503, attempts: 4 } });
    expect(requests).toHaveLength(4);
  });

  it('bounds each attempt in time: a hung endpoint ends in a timeout after every attempt', async () => {
    requests.length = 0;
    for (let i = 0; i < 4; i++) answers.push({ hang: true });
    const started = Date.now();
    const err = await client.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect(classifyAwsError(err)).toBe('timeout');
    expect(requests).toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 300 - 50);
  });

  it('reports a refused connection as the network being down', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await createDocumentClient(options(deadPort))
      .send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }))
      .catch((e: unknown) => e);
    expect(classifyAwsError(err)).toBe('network');
  });

  it('lets the fault injector fail attempts before and after they are sent, and recovers by retrying', async () => {
    requests.length = 0;
    const draws = [0.01, 0, 0.99, 0.01, 0.99, 0.99];
    const faults: string[] = [];
    const faulty = createDocumentClient(
      options(port, {
        faults: { rate: 0.05, kinds: ['throttling', 'late-timeout'] },
        onFault: (f) => faults.push(`${f.kind} ${f.operation}`),
      }),
    );
    // The injector draws from Math.random: first attempt throttled (not sent), second late-timeout (sent), third clean.
    const random = Math.random;
    Math.random = () => draws.shift() ?? 0.99;
    try {
      const out = await faulty.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }));
      expect(out.$metadata.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      Math.random = random;
    }
    expect(faults[0]).toBe('throttling GetItemCommand');
    expect(requests.length).toBe(faults.filter((f) => f.startsWith('late-timeout')).length + 1);
  });

  it('refuses a command it does not speak', async () => {
    await expect(client.send({ input: {} } as never)).rejects.toThrow(/not a DynamoDB document command/);
  });
});

/** The SDK signer's hash/HMAC interface over node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : new Uint8Array(ArrayBuffer.isView(secret) ? secret.buffer : secret));
  }
  update(data: string | Uint8Array) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

describe('SigV4 (functions/aws/sigv4.ts)', () => {
  it('signs exactly as the SDK’s signer does', async () => {
    for (const [date, token, body] of [
      ['2026-12-02T17:20:10.123Z', undefined, '{"TableName":"kyso","Key":{"pk":{"S":"a"}}}'],
      ['2026-01-01T00:00:00.000Z', 'FwoGZXIvYXdzEJr//////////wEaDAtoken', '{}'],
    ] as const) {
      const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' };
      const ours = signV4(
        { method: 'POST', host: 'dynamodb.ap-southeast-1.amazonaws.com', path: '/', headers, body },
        { region: 'ap-southeast-1', service: 'dynamodb' },
        { ...credentials, ...(token ? { sessionToken: token } : {}) },
        new Date(date),
      );
      const theirs = await new SignatureV4({
        credentials: { ...credentials, ...(token ? { sessionToken: token } : {}) },
        region: 'ap-southeast-1',
        service: 'dynamodb',
        sha256: NodeSha256,
        // The SDK's DynamoDB client signs no payload-hash header; this request has none either.
        applyChecksum: false,
      }).sign(
        {
          method: 'POST',
          protocol: 'https:',
          hostname: 'dynamodb.ap-southeast-1.amazonaws.com',
          path: '/',
          headers: { ...headers, host: 'dynamodb.ap-southeast-1.amazonaws.com' },
          body,
        } as never,
        { signingDate: new Date(date) },
      );
      expect(ours.authorization).toBe((theirs as unknown as { headers: Record<string, string> }).headers.authorization);
    }
  });
});
