import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHECK_TIMEOUT_MS } from '../../functions/api/routes/health.js';
import { envelopeJson, FAULTS_INJECTED, fixture, uniqueEmail } from '../support/api.js';
import { type RunningServer, serverApi, startServer } from '../support/start-server.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

/**
 * The reason a dependency is reported down for when the endpoint is cut (`network`) or hangs
 * (`timeout`). Under the suite's injected faults (KYSO_FAULT_RATE) the last SDK attempt may have
 * met an injected fault before reaching the cut endpoint: then it is that fault's reason.
 */
const cutReason = (reason: string) =>
  FAULTS_INJECTED ? expect.stringMatching(new RegExp(`^(${reason}|throttled|timeout|server)$`)) : reason;

/**
 * The first answers once the endpoint is back. The outage spent the SDK's retry quota (its token
 * bucket refills with successful calls), so under the suite's injected faults a call that meets
 * one soon after is not retried by the SDK and the request is answered 503 service_unavailable —
 * which a client retries, as this does (a few times, 0.5 s apart). Without injected faults the
 * first answer must already be the good one.
 */
const afterRecovery = async (request: () => Promise<{ status: number }>): Promise<number> => {
  for (let attempt = 1; ; attempt++) {
    const { status } = await request();
    if (!(FAULTS_INJECTED && status === 503 && attempt < 6)) return status;
    await new Promise((r) => setTimeout(r, 500));
  }
};

/**
 * A server whose AWS endpoint goes away: it reaches the run's local AWS endpoint through a proxy
 * the test cuts (connections refused, as a dead endpoint does). Every route must then answer an
 * honest 503 `service_unavailable` with Retry-After (HTML on pages), never a 500; /health stays
 * cheap, /health?deep=1 names what is down; and all of it recovers when the endpoint is back.
 */
describe('the AWS endpoint down', () => {
  let server: RunningServer;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let api: ReturnType<typeof serverApi>;
  let token = '';
  let envelopeId = '';

  beforeAll(async () => {
    proxy = await startTcpProxy(inject('awsEndpoint'));
    server = await startServer({ AWS_ENDPOINT_URL: proxy.url });
    api = serverApi(server);
    const email = uniqueEmail('down');
    const created = await api<{ id: string }>(
      'POST',
      '/v1/envelopes',
      envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: [{ name: 'Trần Thị Bình', email }] }),
    );
    expect(created.status).toBe(201);
    envelopeId = created.body.id;
    expect((await api('POST', `/v1/envelopes/${envelopeId}/send`)).status).toBe(200);
    const mail = await api<{ messages: { to: string; text: string }[] }>('GET', `/dev/mail?to=${encodeURIComponent(email)}`);
    token = /\/s\/([A-Za-z0-9_-]+)/.exec(mail.body.messages.find((m) => m.to === email)?.text ?? '')?.[1] ?? '';
    expect(token).not.toBe('');
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  it('/health?deep=1 reports every dependency with its latency while it is up', async () => {
    const r = await fetch(`${server.url}/health?deep=1`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { status: string; checks: Record<string, { status: string; latencyMs: number }> };
    expect(body.status).toBe('ok');
    // Every AWS service the API uses, and each secret it reads (npm start keeps the admin key in one), each on its own.
    expect(Object.keys(body.checks).sort()).toEqual(['dynamodb', 'kms', 's3', 'secret:admin-key', 'ses', 'sns', 'sqs']);
    for (const check of Object.values(body.checks)) {
      expect(check.status).toBe('ok');
      expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('every route answers 503 service_unavailable with Retry-After, pages answer a page, and it all recovers', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    await proxy.down();

    // Every documented operation, with made-up ids and an empty JSON body (auth, rate limits or the lookup need AWS first).
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m, path })));
    expect(operations.length).toBeGreaterThan(60);
    const answers: { op: string; status: number; code?: string; retryAfter: string | null; ms: number }[] = [];
    const queue = [...operations];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let op = queue.shift(); op; op = queue.shift()) {
          const url = op.path.replace(/\{token\}/g, token).replace(/\{[^}]+\}/g, (p) => (p === '{sha256}' ? '0'.repeat(64) : 'x1'));
          const started = Date.now();
          const r = await fetch(`${server.url}${url}`, {
            method: op.method.toUpperCase(),
            headers: {
              authorization: `Bearer ${server.devApiKey}`,
              ...(op.method === 'get' ? {} : { 'content-type': 'application/json' }),
            },
            ...(op.method === 'get' ? {} : { body: '{}' }),
          });
          const body = r.headers.get('content-type')?.includes('json')
            ? ((await r.json()) as { error?: { code?: string } })
            : await r.text();
          answers.push({
            op: `${op.method.toUpperCase()} ${op.path}`,
            status: r.status,
            ...(typeof body === 'object' && body.error?.code ? { code: body.error.code } : {}),
            retryAfter: r.headers.get('retry-after'),
            ms: Date.now() - started,
          });
        }
      }),
    );
    expect(answers.filter((a) => a.status === 500)).toEqual([]);
    const unavailable = answers.filter((a) => a.status === 503);
    for (const a of unavailable) {
      expect(a.code, a.op).toBe('service_unavailable');
      expect(Number(a.retryAfter), a.op).toBeGreaterThan(0);
    }
    // What needs no AWS call to answer: liveness, the CA certificates (kept in memory since start), an
    // unknown CRL name, and Zalo callbacks on a server without Zalo.
    const others = answers.filter((a) => a.status !== 503).map((a) => `${a.op} ${a.status}`);
    expect(others.sort()).toEqual([
      'GET /health 200',
      'GET /pki/crl/{file} 404',
      'GET /pki/issuing-ca.cer 200',
      'GET /pki/root.cer 200',
      'GET /pki/root.pem 200',
      'POST /callbacks/zalo 404',
    ]);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(10_000);

    // The signer page and the console's API: a page for people, JSON for code.
    const page = await fetch(`${server.url}/s/${token}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('retry-after')).toEqual(FAULTS_INJECTED ? expect.stringMatching(/^[25]$/) : '5');
    const html = await page.text();
    expect(html).toContain('Dịch vụ tạm thời gián đoạn');
    expect(html).toContain('Service temporarily unavailable');
    expect(html.indexOf('Dịch vụ')).toBeLessThan(html.indexOf('Service temporarily'));
    const english = await (await fetch(`${server.url}/s/${token}?lang=en`)).text();
    expect(english.indexOf('Service temporarily')).toBeLessThan(english.indexOf('Dịch vụ'));
    expect(html).not.toMatch(/ECONNREFUSED|stack|at .*\.ts/);
    const consoleApi = await fetch(`${server.url}/app/api/me`, { headers: { cookie: `kyso_session=${'s'.repeat(43)}` } });
    expect(consoleApi.status).toBe(503);
    expect(((await consoleApi.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');

    const shallow = await fetch(`${server.url}/health`);
    expect(shallow.status).toBe(200);
    const deep = await fetch(`${server.url}/health?deep=1`);
    expect(deep.status).toBe(503);
    const deepBody = (await deep.json()) as { status: string; checks: Record<string, { status: string; reason?: string }> };
    expect(deepBody.status).toBe('degraded');
    for (const check of Object.values(deepBody.checks)) expect(check).toMatchObject({ status: 'down', reason: cutReason('network') });

    // Logged: each failure once, with its cause and request id, as a warning (not a bug); no token, no email.
    const logged = server
      .output()
      .split('\n')
      .filter((l) => l.includes('a dependency is unavailable'));
    expect(logged.length).toBeGreaterThanOrEqual(unavailable.length);
    const entries = logged.map((l) => JSON.parse(l) as Record<string, unknown>);
    const entry = entries.find((e) => e.dependency === 'network') ?? entries[0] ?? {};
    expect(entry).toMatchObject({ level: 'warn', status: 503, code: 'service_unavailable', dependency: 'network' });
    expect(entry.requestId).toEqual(expect.any(String));
    expect(entry.cause).toMatch(/ECONNREFUSED/);
    expect(server.output()).not.toContain(token);
    expect(server.output()).not.toMatch(/"level":"error"/);

    await proxy.up();
    expect(await afterRecovery(() => api('GET', `/v1/envelopes/${envelopeId}`))).toBe(200);
    expect(await afterRecovery(() => fetch(`${server.url}/health?deep=1`))).toBe(200);
    expect(await afterRecovery(() => fetch(`${server.url}/s/${token}`))).toBe(200);
  });

  it('a browser on an unknown page gets a page, an API client JSON', async () => {
    const page = await fetch(`${server.url}/khong-co`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Không tìm thấy trang');
    const json = await fetch(`${server.url}/v1/khong-co`, { headers: { accept: 'text/html' } });
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

/**
 * A server whose AWS endpoint stops answering: a TCP server that accepts and never responds sits in
 * front of it (the proxy's `hang()`), so only the SDK's own timeouts end a call. Each attempt is cut
 * after KYSO_AWS_REQUEST_TIMEOUT_MS (2 s here; 20 s by default, functions/aws/clients.ts) and the SDK
 * makes 3 attempts (DynamoDB's client 4), so a request needing AWS answers 503 after about 4 × 2 s:
 * bounded, never a hang.
 */
describe('the AWS endpoint hanging', () => {
  const ATTEMPT_MS = 2000;
  let server: RunningServer;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;

  beforeAll(async () => {
    proxy = await startTcpProxy(inject('awsEndpoint'));
    server = await startServer({
      AWS_ENDPOINT_URL: proxy.url,
      KYSO_AWS_REQUEST_TIMEOUT_MS: String(ATTEMPT_MS),
      // A provider secret the deployment names but that does not exist: its check alone is down.
      KYSO_PROVIDER_SECRETS_ID: `kyso/test/missing-${Date.now()}`,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  type Deep = { status: string; checks: Record<string, { status: string; reason?: string; latencyMs: number }> };

  it('/health?deep=1 reports each dependency on its own: a missing secret is down, the rest up', async () => {
    const r = await fetch(`${server.url}/health?deep=1`);
    expect(r.status).toBe(503);
    const body = (await r.json()) as Deep;
    expect(body.checks['secret:providers']).toMatchObject({ status: 'down', reason: 'ResourceNotFoundException' });
    const others = Object.entries(body.checks).filter(([name]) => name !== 'secret:providers');
    expect(others.map(([name]) => name).sort()).toEqual(['dynamodb', 'kms', 's3', 'secret:admin-key', 'ses', 'sns', 'sqs']);
    for (const [name, check] of others) expect(check.status, name).toBe('ok');
  });

  it('answers 503 service_unavailable with Retry-After within the SDK timeouts, and /health?deep=1 says so within its own', async () => {
    proxy.hang();
    const timed = async (path: string, init: RequestInit = {}) => {
      const started = Date.now();
      const r = await fetch(`${server.url}${path}`, init);
      const text = await r.text();
      return {
        path,
        status: r.status,
        retryAfter: r.headers.get('retry-after'),
        type: r.headers.get('content-type') ?? '',
        text,
        ms: Date.now() - started,
      };
    };
    const auth = { authorization: `Bearer ${server.devApiKey}` };
    const [list, create, page, link, deep] = await Promise.all([
      timed('/v1/envelopes', { headers: auth }),
      timed('/v1/envelopes', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' }),
      timed(`/s/${'t'.repeat(43)}`, { headers: { accept: 'text/html' } }),
      timed(`/v1/sign/${'t'.repeat(43)}`),
      timed('/health?deep=1'),
    ]);
    // Four attempts (DynamoDB's) of ATTEMPT_MS each plus the SDK's short backoff: ~8 s; under 15 s even on a loaded machine.
    for (const a of [list, create, page, link]) {
      expect(a.status, a.path).toBe(503);
      expect(Number(a.retryAfter), a.path).toBeGreaterThan(0);
      expect(a.ms, a.path).toBeGreaterThanOrEqual(ATTEMPT_MS);
      expect(a.ms, a.path).toBeLessThan(15_000);
    }
    for (const a of [list, create, link]) expect(JSON.parse(a.text).error.code).toBe('service_unavailable');
    expect(page.type).toMatch(/text\/html/);
    expect(page.text).toContain('Dịch vụ tạm thời gián đoạn');
    // The deep probe gives up on each dependency at its own deadline (CHECK_TIMEOUT_MS, 3 s), whatever the SDK's.
    expect(deep.status).toBe(503);
    expect(deep.ms).toBeLessThan(CHECK_TIMEOUT_MS + 3000);
    for (const [name, check] of Object.entries((JSON.parse(deep.text) as Deep).checks)) {
      expect(check, name).toMatchObject({ status: 'down', reason: cutReason('timeout') });
    }
    const logged = server
      .output()
      .split('\n')
      .filter(
        (l) =>
          l.includes('a dependency is unavailable') &&
          (l.includes('"dependency":"timeout"') || (FAULTS_INJECTED && /"dependency":"(throttled|server)"/.test(l))),
      );
    expect(logged.length).toBeGreaterThanOrEqual(4);
    expect(server.output()).not.toMatch(/"level":"error"/);
    process.stdout.write(
      `hanging AWS endpoint: 503 after ${[list, create, page, link].map((a) => a.ms).join(', ')} ms; deep health after ${deep.ms} ms\n`,
    );

    await proxy.up();
    expect(await afterRecovery(() => fetch(`${server.url}/v1/envelopes`, { headers: auth }))).toBe(200);
  }, 60_000);
});
