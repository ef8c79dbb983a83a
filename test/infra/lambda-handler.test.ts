import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { Hono } from 'hono';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { app, handler } from '../../functions/api/lambda.js';

/** An API Gateway HTTP API (payload 2.0) event, as the stack's integration delivers it. */
const httpApiEvent = (method: string, path: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: { host: 'abc123.execute-api.ap-southeast-1.amazonaws.com', 'user-agent': 'vitest', ...headers },
  requestContext: {
    accountId: '123456789012',
    apiId: 'abc123',
    domainName: 'abc123.execute-api.ap-southeast-1.amazonaws.com',
    domainPrefix: 'abc123',
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
    requestId: 'req-1',
    routeKey: '$default',
    stage: '$default',
    time: '25/Nov/2026:00:00:00 +0000',
    timeEpoch: 1_795_564_800_000,
  },
  isBase64Encoded: false,
});

type Result = Exclude<APIGatewayProxyResultV2, string>;
// Typed with @types/aws-lambda (what API Gateway sends); hono's own event type differs only in `body: string | null`.
const invoke = async (h: typeof handler, event: APIGatewayProxyEventV2) =>
  (await h(event as unknown as LambdaEvent, {} as Context)) as Result;

describe('the Lambda entry point the stack deploys', () => {
  it.each(['/health', '/openapi.json'])('answers GET %s as the app does locally', async (path) => {
    const local = await app.request(path);
    const lambda = await invoke(handler, httpApiEvent('GET', path));

    expect(lambda.statusCode).toBe(local.status);
    expect(lambda.headers?.['content-type']).toBe(local.headers.get('content-type'));
    expect(JSON.parse(lambda.body ?? '')).toEqual(await local.json());
  });

  it('returns binary bodies base64-encoded, which HTTP APIs decode without binary media type settings', async () => {
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0xff, 0x00]);
    const pdfApp = new Hono().get('/doc.pdf', (c) => c.body(pdf, 200, { 'content-type': 'application/pdf' }));
    const result = await invoke(handle(pdfApp) as typeof handler, httpApiEvent('GET', '/doc.pdf'));

    expect(result.isBase64Encoded).toBe(true);
    expect(new Uint8Array(Buffer.from(result.body ?? '', 'base64'))).toEqual(pdf);
  });
});
