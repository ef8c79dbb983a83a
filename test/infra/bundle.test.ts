import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_BUNDLE_PATH, API_RUNTIME_FILES } from '../../infra/kyso-stack.js';
import { type CfnTemplate, functionId, propsOf, synthKyso } from './synth.js';

/** The asset directory in cdk.out holding a function's deployment package. */
const assetDir = (outdir: string, t: CfnTemplate, fnId: string) => {
  const key = (propsOf(t, fnId).Code as { S3Key: string }).S3Key;
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
};

/**
 * Runs a deployment package the way Lambda would: a fresh Node process, outside the
 * repository (so nothing resolves from its node_modules), importing the bundled handler.
 */
const runPackage = (dir: string, handlerFile: string, script: string, extraEnv: Record<string, string> = {}): unknown => {
  const stdout = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `const { handler } = await import(${JSON.stringify(join(dir, handlerFile))});\n${script}`],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'ap-southeast-1',
        KYSO_TABLE: 'kyso-test',
        KYSO_BUCKET: 'kyso-test',
        NODE_NO_WARNINGS: '1',
        ...extraEnv,
      },
      encoding: 'utf8',
    },
  );
  // The handlers log JSON lines to stdout too: the result is the last line.
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
};

const httpEvent = (path: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: { host: 'abc123.execute-api.ap-southeast-1.amazonaws.com' },
  requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' }, stage: '$default' },
  isBase64Encoded: false,
});

describe('bundled deployment packages (esbuild, no Docker)', () => {
  let outdir = '';
  let template: CfnTemplate;
  beforeAll(() => {
    const synth = synthKyso({ bundle: true });
    outdir = synth.outdir;
    template = synth.json;
  }, 120_000);

  it('puts the API bundle where pages.ts’s relative URLs resolve, with every runtime file', () => {
    const dir = assetDir(outdir, template, functionId(template, 'Kyso API'));
    expect(existsSync(join(dir, API_BUNDLE_PATH))).toBe(true);
    for (const f of API_RUNTIME_FILES) {
      const path = 'repoPath' in f ? join(dir, f.repoPath) : join(dir, 'node_modules', f.packageFile);
      expect(statSync(path).size, path).toBeGreaterThan(1000);
    }
  });

  it('serves health, OpenAPI, signer assets and pdf.js, and finds the font, from the package alone', () => {
    const dir = assetDir(outdir, template, functionId(template, 'Kyso API'));
    const paths = [
      '/health',
      '/openapi.json',
      '/assets/signer.js',
      '/assets/remote.js',
      '/assets/signer.css',
      '/assets/kyso-embed.js',
      '/assets/pdfjs/pdf.min.mjs',
      '/assets/pdfjs/pdf.worker.min.mjs',
      '/app',
      '/app/assets/console.js',
      '/app/assets/compose.js',
      '/app/assets/templates.js',
      '/app/assets/console.css',
      '/app/assets/labour.js',
      '/app/assets/data-subjects.js',
      '/app/assets/remote-signing.js',
      '/app/assets/html.js',
      '/assets/html.js',
      '/assets/base.css',
      '/docs',
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/swagger-ui.css',
      '/docs/assets/docs-init.js',
    ];
    const results = runPackage(
      dir,
      API_BUNDLE_PATH,
      `const { createRequire } = await import('node:module');
       const out = {};
       for (const event of ${JSON.stringify(paths.map(httpEvent))}) {
         const p = event.rawPath;
         const r = await handler(event, {});
         out[p] = { status: r.statusCode, bytes: Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8').length };
       }
       out.font = createRequire(${JSON.stringify(join(dir, API_BUNDLE_PATH))}).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
       out.bold = createRequire(${JSON.stringify(join(dir, API_BUNDLE_PATH))}).resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');
       process.stdout.write("\\n" + JSON.stringify(out));`,
    ) as Record<string, { status: number; bytes: number }> & { font: string; bold: string };

    for (const p of paths) expect(results[p]?.status, p).toBe(200);
    expect(results['/assets/signer.js']?.bytes).toBeGreaterThan(1000);
    expect(results['/assets/pdfjs/pdf.worker.min.mjs']?.bytes).toBeGreaterThan(100_000);
    expect(results.font.startsWith(dir)).toBe(true);
    // The copied asset is the font itself, byte for byte.
    expect(readFileSync(results.font).equals(readFileSync(join('node_modules', 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf')))).toBe(true);
    // The bold face is needed by generated reports (certificate of completion, templates).
    expect(results.bold.startsWith(dir)).toBe(true);
  });

  it('runs the worker and scheduler bundles: the worker fails messages it cannot read, the scheduler refuses unknown tasks', () => {
    const worker = runPackage(
      assetDir(outdir, template, functionId(template, 'Kyso queue worker')),
      'index.mjs',
      `process.stdout.write("\\n" + JSON.stringify(await handler({ Records: [{ messageId: 'm1' }, { messageId: 'm2' }] })));`,
    );
    expect(worker).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
    const sweeper = runPackage(
      assetDir(outdir, template, functionId(template, 'Kyso scheduler')),
      'index.mjs',
      // A real sweep needs DynamoDB; an unknown task proves the bundle loads and answers without it.
      `try { await handler({ task: 'nope' }); } catch (e) { process.stdout.write("\\n" + JSON.stringify({ error: e.message })); }`,
    );
    expect(sweeper).toEqual({ error: 'unknown scheduler task "nope"' });
  });

  it('runs the outbox bundle: stream records of items other than envelopes are skipped without AWS', () => {
    const outbox = runPackage(
      assetDir(outdir, template, functionId(template, 'Kyso outbox worker')),
      'index.mjs',
      `process.stdout.write("\\n" + JSON.stringify(await handler({ Records: [{ dynamodb: { Keys: { pk: { S: 'TENANT#t' }, sk: { S: 'OUTBOX#1' } }, SequenceNumber: '1' } }] })));`,
    );
    expect(outbox).toEqual({ batchItemFailures: [] });
  });

  it('traces as on Lambda (Powertools tracer on, X-Ray context set) and still answers /health from the API bundle', () => {
    const dir = assetDir(outdir, template, functionId(template, 'Kyso API'));
    const result = runPackage(
      dir,
      API_BUNDLE_PATH,
      `const r = await handler(${JSON.stringify(httpEvent('/health'))}, { awsRequestId: 'r1', functionName: 'kyso-api', getRemainingTimeInMillis: () => 29000 });
process.stdout.write("\\n" + JSON.stringify({ status: r.statusCode, body: JSON.parse(r.body) }));`,
      {
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_LAMBDA_FUNCTION_NAME: 'kyso-api',
        _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        // Segments go to the X-Ray daemon over UDP; nothing listens on this port here.
        AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
        AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      },
    ) as { status: number; body: { status: string } };
    expect(result.status).toBe(200);
    expect(result.body.status).toBe('ok');
  });

  it('runs the SMS delivery-status bundle: the control message CloudWatch Logs sends first is read without AWS', () => {
    const data = gzipSync(
      JSON.stringify({ messageType: 'CONTROL_MESSAGE', logEvents: [{ id: '1', timestamp: 0, message: 'CWL CONTROL MESSAGE' }] }),
    );
    const result = runPackage(
      assetDir(outdir, template, functionId(template, 'Kyso SMS delivery receipts')),
      'index.mjs',
      `process.stdout.write("\\n" + JSON.stringify(await handler({ awslogs: { data: ${JSON.stringify(data.toString('base64'))} } })));`,
    );
    expect(result).toEqual({ applied: 0, unmatched: 0, skipped: 1 });
  });

  it('runs the email receipts bundle: an SES event that is not a receipt (Send) is read without AWS', () => {
    const event = {
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: { Message: JSON.stringify({ eventType: 'Send', mail: { messageId: 'm-1' } }), Timestamp: '2026-12-02T00:00:00.000Z' },
        },
      ],
    };
    const result = runPackage(
      assetDir(outdir, template, functionId(template, 'Kyso email receipts')),
      'index.mjs',
      `process.stdout.write("\\n" + JSON.stringify(await handler(${JSON.stringify(event)}, {})));`,
    );
    expect(result).toEqual({ applied: 0, unmatched: 0, skipped: 1 });
  });
});
