import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/aws/clients.js';
import { createLogger, withLambdaContext } from '../../../functions/logger.js';
import { createRequestMetrics } from '../../../functions/metrics.js';
import { countInRequest, currentRequestScope, runInRequestScope } from '../../../functions/request-scope.js';

/** Every JSON line the process writes (Powertools writes through a Console on stdout/stderr). */
const captureLines = () => {
  const lines: Record<string, unknown>[] = [];
  const grab = (chunk: unknown) => {
    for (const l of String(chunk).split('\n')) if (l.trim().startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(grab);
  vi.spyOn(process.stderr, 'write').mockImplementation(grab);
  return lines;
};
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const lambdaContext = (awsRequestId: string) =>
  ({
    functionName: 'kyso-api',
    awsRequestId,
    invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:1:function:kyso-api',
    memoryLimitInMB: '512',
  }) as unknown as Context;

describe('logs through Powertools', () => {
  it('writes one JSON line per entry in Kyso’s shape, with the request id of the request it belongs to', async () => {
    const lines = captureLines();
    const logger = createLogger('kyso-test');
    logger.info('outside');
    await runInRequestScope('req-1', async () => {
      await Promise.resolve();
      logger.warn('inside', { tenantId: 't1' });
      logger.error('failed', { code: 'internal' });
    });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 'info', service: 'kyso-test', message: 'outside' });
    expect(lines[0]).not.toHaveProperty('requestId');
    expect(new Date(lines[0]?.time as string).toString()).not.toBe('Invalid Date');
    expect(lines[1]).toMatchObject({ level: 'warn', message: 'inside', requestId: 'req-1', tenantId: 't1' });
    // The test harness and the alarms read "level":"error" (test/support/global-setup.ts).
    expect(JSON.stringify(lines[2])).toContain('"level":"error"');
  });

  it('keeps concurrent requests apart', async () => {
    const lines = captureLines();
    const logger = createLogger('kyso-test');
    const one = (id: string) =>
      runInRequestScope(id, async () => {
        await new Promise((r) => setTimeout(r, 5));
        logger.info('done');
      });
    await Promise.all([one('a'), one('b')]);
    expect(lines.map((l) => l.requestId).sort()).toEqual(['a', 'b']);
  });

  it('carries the Lambda context: cold start on the first invocation only, the invocation’s request id', async () => {
    const lines = captureLines();
    // What the Lambda runtime sets for an on-demand container (Powertools reports cold starts only there).
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const logger = createLogger('kyso-test');
    const handler = withLambdaContext(logger, async (event: { n: number }) => {
      logger.info('handled', { n: event.n });
      return event.n;
    });
    await handler({ n: 1 }, lambdaContext('inv-1'));
    await handler({ n: 2 }, lambdaContext('inv-2'));
    expect(lines[0]).toMatchObject({ cold_start: true, function_name: 'kyso-api', function_request_id: 'inv-1', n: 1 });
    expect(lines[1]).toMatchObject({ cold_start: false, function_request_id: 'inv-2', n: 2 });
    // Called without a context (a script, a test): handled all the same.
    await expect((handler as (e: { n: number }) => Promise<number>)({ n: 3 })).resolves.toBe(3);
  });
});

describe('per-request metrics (EMF)', () => {
  it('publishes latency, signatures and KMS calls of one request as one EMF line, the request id as metadata', async () => {
    const lines = captureLines();
    const metrics = createRequestMetrics('kyso-test');
    await runInRequestScope('req-9', async () => {
      countInRequest('signatures', 2);
      countInRequest('kmsCalls');
      countInRequest('kmsCalls');
      const scope = currentRequestScope();
      if (scope) metrics.publish(scope, 200, 123.4);
    });
    expect(lines).toHaveLength(1);
    const emf = lines[0] as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] };
    };
    expect(emf).toMatchObject({
      service: 'kyso-test',
      requestId: 'req-9',
      status: '200',
      Requests: 1,
      Latency: 123,
      Signatures: 2,
      KmsCalls: 2,
    });
    expect(emf).not.toHaveProperty('ServerErrors');
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe('Kyso');
    expect(directive?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'Latency', Unit: 'Milliseconds' },
        { Name: 'Signatures', Unit: 'Count' },
        { Name: 'KmsCalls', Unit: 'Count' },
      ]),
    );
  });

  it('counts each KMS operation a request makes once, whatever KMS answers (a local endpoint)', async () => {
    let received = 0;
    const kms = createServer((_req, res) => {
      received++;
      res
        .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ __type: 'NotFoundException', message: 'no key' }));
    });
    await new Promise<void>((r) => kms.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(kms.address() as AddressInfo).port}`;
      const clients = createAwsClients({
        region: 'ap-southeast-1',
        endpoint,
        endpointCredentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      const counted = await runInRequestScope('req-k', async () => {
        await clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/a' })).catch(() => undefined);
        await clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/b' })).catch(() => undefined);
        return currentRequestScope()?.counts.kmsCalls;
      });
      expect(received).toBe(2);
      expect(counted).toBe(2);
      // Outside a request (a job, a sweep) nothing is counted and nothing fails.
      await clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/c' })).catch(() => undefined);
      expect(received).toBe(3);
    } finally {
      await new Promise<void>((r) => kms.close(() => r()));
    }
  });
});
