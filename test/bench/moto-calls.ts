import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendEmailCommand } from '@aws-sdk/client-ses';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bootstrapResources } from '../../functions/aws/bootstrap.js';
import { createAwsClients } from '../../functions/aws/clients.js';
import { loadConfig } from '../../functions/config.js';
import { startMoto } from '../../functions/local/moto.js';
import { cpuSeconds, loadAverage } from './process-stats.js';

/**
 * What one call to the local AWS endpoint costs (moto behind functions/local/moto-server.py), by
 * the kinds of calls Kyso makes: wall ms per call and moto's CPU ms per call (from /proc), N
 * sequential calls each after a few warm-up ones, on a table already holding a few thousand items
 * (as after a test run). The machine is shared: CPU ms is the number to compare, wall ms depends on load.
 *
 * Standalone: `npx tsx test/bench/moto-calls.ts [--calls 50] [--items 3000]`; `npm run bench` prints it too.
 * With --endpoint URL it measures that endpoint instead of starting one (no CPU column unless --pid is given).
 */
export const motoCallsBench = async (options: { calls?: number; items?: number; endpoint?: string; pid?: number } = {}) => {
  const calls = options.calls ?? 50;
  const items = options.items ?? 3000;
  const moto = options.endpoint ? undefined : await startMoto();
  const endpoint = options.endpoint ?? (moto?.endpoint as string);
  const pid = options.pid ?? moto?.process.pid;
  try {
    const config = await bootstrapResources(
      createAwsClients(loadConfig({ AWS_ENDPOINT_URL: endpoint })),
      loadConfig({ AWS_ENDPOINT_URL: endpoint, KYSO_TABLE: `bench-${Date.now()}` }),
    );
    const clients = createAwsClients(config);
    const { dynamo, kms, s3, sqs, ses } = clients;
    const TableName = config.tableName;
    const run = `r${Date.now()}`;

    // A few thousand items over many partitions (25 per BatchWrite), one partition of 20 for the Query.
    for (let i = 0; i < items; i += 25) {
      const batch = Array.from({ length: Math.min(25, items - i) }, (_, j) => ({
        PutRequest: {
          Item: { pk: `T#${run}#${(i + j) % 500}`, sk: `E#${i + j}`, title: `Hợp đồng ${i + j}`, n: i + j, body: 'x'.repeat(300) },
        },
      }));
      await dynamo.send(new BatchWriteCommand({ RequestItems: { [TableName]: batch } }));
    }
    for (let i = 0; i < 20; i++) await dynamo.send(new PutCommand({ TableName, Item: { pk: `Q#${run}`, sk: `S#${i}`, n: i } }));

    const ecc = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.KeyId;
    const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.KeyId;
    const digest = new Uint8Array(32).fill(7);
    const pdf = Buffer.alloc(50 * 1024, 'a');
    // Two job queues: SendMessage's messages stay in the first; ReceiveMessage reads the second, holding one message at a time (as the poller keeps them).
    const [sendQueue, queueUrl] = Object.values(config.queueUrls) as [string, string];
    await s3.send(new PutObjectCommand({ Bucket: config.bucketName, Key: `bench/${run}/get`, Body: pdf }));

    let k = 0;
    /** Receipt handles of the messages ReceiveMessage took: deleted outside the timed part. */
    const received: string[] = [];
    const kinds: [string, () => Promise<unknown>][] = [
      ['DynamoDB GetItem', () => dynamo.send(new GetCommand({ TableName, Key: { pk: `T#${run}#${k % 500}`, sk: `E#${k % 500}` } }))],
      [
        'DynamoDB PutItem (condition)',
        () =>
          dynamo.send(
            new PutCommand({ TableName, Item: { pk: `P#${run}#${k}`, sk: 'v', n: k }, ConditionExpression: 'attribute_not_exists(pk)' }),
          ),
      ],
      [
        'DynamoDB UpdateItem (ADD, condition)',
        () =>
          dynamo.send(
            new UpdateCommand({
              TableName,
              Key: { pk: `Q#${run}`, sk: 'S#1' },
              UpdateExpression: 'ADD n :one SET t = :t',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': 1, ':t': k },
            }),
          ),
      ],
      [
        'DynamoDB Query (one partition, 20 items)',
        () =>
          dynamo.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `Q#${run}` } })),
      ],
      [
        'DynamoDB TransactWriteItems (4 items)',
        () =>
          dynamo.send(
            new TransactWriteCommand({
              TransactItems: [
                ...[0, 1, 2].map((j) => ({
                  Put: { TableName, Item: { pk: `X#${run}#${k}`, sk: `O#${j}`, n: j }, ConditionExpression: 'attribute_not_exists(pk)' },
                })),
                {
                  Update: {
                    TableName,
                    Key: { pk: `Q#${run}`, sk: 'S#2' },
                    UpdateExpression: 'SET v = :v',
                    ConditionExpression: 'attribute_exists(pk)',
                    ExpressionAttributeValues: { ':v': k },
                  },
                },
              ],
            }),
          ),
      ],
      [
        'KMS Sign (ECC_NIST_P256)',
        () => kms.send(new SignCommand({ KeyId: ecc, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })),
      ],
      [
        'KMS Sign (RSA_2048)',
        () =>
          kms.send(new SignCommand({ KeyId: rsa, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' })),
      ],
      ['S3 PutObject (50 KB)', () => s3.send(new PutObjectCommand({ Bucket: config.bucketName, Key: `bench/${run}/${k}`, Body: pdf }))],
      [
        'S3 GetObject (50 KB)',
        async () =>
          (await s3.send(new GetObjectCommand({ Bucket: config.bucketName, Key: `bench/${run}/get` }))).Body?.transformToByteArray(),
      ],
      ['SQS SendMessage', () => sqs.send(new SendMessageCommand({ QueueUrl: sendQueue, MessageBody: JSON.stringify({ k }) }))],
      [
        'SQS ReceiveMessage (1 waiting)',
        async () => {
          const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }));
          received.push(...(r.Messages ?? []).map((m) => m.ReceiptHandle as string));
        },
      ],
      [
        'SES SendEmail (configuration set: Send event)',
        () =>
          ses.send(
            new SendEmailCommand({
              Source: config.mailFrom,
              Destination: { ToAddresses: [`an.${k}@bench.vn`] },
              Message: { Subject: { Data: 'Hợp đồng' }, Body: { Text: { Data: 'Xin ký hợp đồng.' } } },
              ...(config.sesConfigurationSet ? { ConfigurationSetName: config.sesConfigurationSet } : {}),
              Tags: [{ Name: 'outbox', Value: `o${k}` }],
            }),
          ),
      ],
    ];

    console.log(`\nLocal AWS endpoint per call (${calls} sequential calls each, table of ${items} items; load ${loadAverage()}):`);
    console.log(`  ${'call'.padEnd(48)} ${'wall ms'.padStart(8)} ${'moto CPU ms'.padStart(12)}`);
    const totals = { wall: 0, cpu: 0, n: 0 };
    for (const [name, call] of kinds) {
      const receive = name.startsWith('SQS Receive');
      // ReceiveMessage needs a message waiting: one is sent before each call (and deleted after), outside the timed part.
      const prepare = async () => {
        if (receive) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'w' }));
      };
      const tidy = async () => {
        const handles = received.splice(0);
        if (handles.length)
          await sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: handles.map((h, i) => ({ Id: String(i), ReceiptHandle: h })) }),
          );
      };
      for (let i = 0; i < 3; i++, k++) {
        await prepare();
        await call();
        await tidy();
      }
      let wall = 0;
      let cpu = 0;
      for (let i = 0; i < calls; i++, k++) {
        await prepare();
        const c0 = cpuSeconds(pid);
        const t0 = performance.now();
        await call();
        wall += performance.now() - t0;
        const c1 = cpuSeconds(pid);
        if (c0 !== undefined && c1 !== undefined) cpu += c1 - c0;
        await tidy();
      }
      totals.wall += wall;
      totals.cpu += cpu;
      totals.n += calls;
      const cpuMs = pid ? ((cpu * 1000) / calls).toFixed(1) : '?';
      console.log(`  ${name.padEnd(48)} ${(wall / calls).toFixed(1).padStart(8)} ${cpuMs.padStart(12)}`);
    }
    const mean = pid ? ((totals.cpu * 1000) / totals.n).toFixed(1) : '?';
    console.log(`  ${'mean of the kinds above'.padEnd(48)} ${(totals.wall / totals.n).toFixed(1).padStart(8)} ${mean.padStart(12)}`);
    console.log(`  (CPU from /proc/<pid>/stat in 10 ms ticks, summed over ${calls} calls; load average after: ${loadAverage()})`);
  } finally {
    moto?.stop();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '50' },
      items: { type: 'string', default: '3000' },
      endpoint: { type: 'string' },
      pid: { type: 'string' },
    },
  });
  await motoCallsBench({
    calls: Number(values.calls),
    items: Number(values.items),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.pid ? { pid: Number(values.pid) } : {}),
  });
}
