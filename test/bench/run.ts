import { parseArgs } from 'node:util';
import { fixturePdf } from '../fixtures/fixtures.js';
import { startServer } from '../support/start-server.js';
import { bigPdfBench } from './big-pdf.js';
import { bulkBench } from './bulk.js';
import { coldStartBench } from './cold-start.js';
import { engineBench } from './engine-bench.js';
import { labourBulkBench } from './labour-bulk.js';
import { manySignersBench } from './many-signers.js';
import { motoCallsBench } from './moto-calls.js';
import { addCalls, cpuSeconds, cpuWindow, motoPid, printCalls } from './process-stats.js';
import { atMost, report, summary } from './targets.js';
import { verifyBench } from './verify-bench.js';

const { values } = parseArgs({
  options: {
    /** Envelopes of the HTTP sign-request passes; 0 skips them (e.g. to time only the many-signers part). */
    envelopes: { type: 'string', default: '20' },
    /** Passes of the HTTP benchmark, one per concurrency (issue 16: sequential, then 8 at once). */
    concurrency: { type: 'string', default: '1,8' },
    'skip-http': { type: 'boolean', default: false },
    /** Skips the in-process signing-engine and verification benchmarks (e.g. to time only a bulk run). */
    'skip-engine': { type: 'boolean', default: false },
    /** Rows of the bulk-send benchmark (./bulk.ts); 0 skips it. */
    'bulk-rows': { type: 'string', default: '1000' },
    /** Signers of one order signing one envelope at the same instant (./many-signers.ts, issue 14); 0 skips it. */
    signers: { type: 'string', default: '50' },
    /** Workers of the labour-contract bulk benchmark (./labour-bulk.ts, issue 13), e.g. 500; 0 skips it. */
    'labour-bulk': { type: 'string', default: '0' },
    /** Fresh processes importing the esbuild-bundled API (./cold-start.ts, issue 16); 0 skips it. */
    'cold-start': { type: 'string', default: '5' },
    /** A 50 MB, 500-page PDF uploaded through the presigned URL, sent and signed over HTTP, with peak RSS (./big-pdf.ts, issue 16). Off by default: slow. */
    'big-pdf': { type: 'boolean', default: false },
    /** Sequential calls of each kind to the local AWS endpoint, timed with moto's CPU (./moto-calls.ts); 0 skips it. */
    'moto-calls': { type: 'string', default: '30' },
  },
});
const N = Number(values.envelopes);
const CONCURRENCIES = values.concurrency.split(',').map(Number);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(0).padStart(5)} ms  p95 ${pct(xs, 95).toFixed(0).padStart(5)} ms  (n=${xs.length})`;

const pool = async <T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
};

type BenchApi = (
  method: string,
  path: string,
  json?: unknown,
  auth?: boolean,
) => Promise<{ body: Record<string, unknown>; ms: number; timing: string; calls: string | null; threadCpu: number | undefined }>;

/** One pass: N two-signer envelopes created, sent and signed over HTTP, C at a time. */
const pass = async (api: BenchApi, pdf: Buffer, C: number, pids: Record<string, number | undefined>) => {
  const lat = { create: [] as number[], send: [] as number[], sign: [] as number[] };
  const split: Record<string, number[]> = {};
  const calls = new Map<string, number>();
  /** Sequential only: CPU the server and moto spent during each sign request (ms), beside its wall time. */
  const cpu = { server: [] as number[], moto: [] as number[], api: [] as number[] };
  const window = cpuWindow(pids);
  const started = performance.now();
  await pool(
    Array.from({ length: N }, (_, i) => i),
    C,
    async (i) => {
      const emails = [`an.${i}.${Date.now()}@bench.vn`, `hr.${i}.${Date.now()}@bench.vn`];
      const c = await api('POST', '/v1/envelopes', {
        title: `Hợp đồng lao động #${i}`,
        documents: [{ name: 'hd.pdf', contentBase64: pdf.toString('base64') }],
        recipients: [
          { name: 'Nguyễn Văn An', email: emails[0], order: 1 },
          { name: 'Công ty TNHH Thử Nghiệm', email: emails[1], order: 2 },
        ],
        fields: [
          { recipient: 0, document: 0, type: 'signature', page: 1, x: 60, y: 650, width: 200, height: 60 },
          { recipient: 1, document: 0, type: 'signature', page: 1, x: 320, y: 650, width: 200, height: 60 },
        ],
      });
      lat.create.push(c.ms);
      const id = c.body.id as string;
      lat.send.push((await api('POST', `/v1/envelopes/${id}/send`)).ms);
      for (const email of emails) {
        // Invitations leave through the outbox (issue 14): look until this signer's link is there (bounded).
        let token: string | undefined;
        for (const until = Date.now() + 60_000; !token && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
          const mail = (await api('GET', `/dev/mail?to=${encodeURIComponent(email)}`, undefined, false)).body.messages as {
            to: string;
            text: string;
          }[];
          token = /\/s\/(\S+)/.exec(mail.filter((m) => m.to === email).pop()?.text ?? '')?.[1];
        }
        const cpu0 = [cpuSeconds(pids.server), cpuSeconds(pids.moto)];
        const s = await api('POST', `/v1/sign/${token}`, { signature: { type: 'typed', value: 'Nguyễn Văn An' } }, false);
        const cpu1 = [cpuSeconds(pids.server), cpuSeconds(pids.moto)];
        if (C === 1 && cpu0.every((x) => x !== undefined) && cpu1.every((x) => x !== undefined)) {
          cpu.server.push(1000 * ((cpu1[0] as number) - (cpu0[0] as number)));
          cpu.moto.push(1000 * ((cpu1[1] as number) - (cpu0[1] as number)));
        }
        lat.sign.push(s.ms);
        if (C === 1 && s.threadCpu !== undefined) cpu.api.push(s.threadCpu);
        addCalls(calls, s.calls);
        for (const m of s.timing.matchAll(/(\w+);dur=([\d.]+)/g)) {
          const category = m[1] as string;
          split[category] = [...(split[category] ?? []), Number(m[2])];
        }
      }
    },
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nEnd to end over HTTP (moto, ${N} two-signer envelopes, ${C === 1 ? 'sequential' : `concurrency ${C}`})`);
  console.log(
    `  throughput  ${(N / seconds).toFixed(2)} envelopes/s completed (${((2 * N) / seconds).toFixed(2)} signatures/s), ${seconds.toFixed(1)} s total`,
  );
  console.log(`  create      ${fmt(lat.create)}`);
  console.log(`  send        ${fmt(lat.send)}`);
  console.log(`  sign        ${fmt(lat.sign)}`);
  console.log('  sign split (server side, per request):');
  for (const [k, xs] of Object.entries(split)) console.log(`    ${k.padEnd(5)} ${fmt(xs)}`);
  if (cpu.server.length) {
    // /proc counts CPU in 10 ms ticks: per request that is coarse, the mean over many is not.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `  sign CPU    server mean ${mean(cpu.server).toFixed(0)} ms, moto mean ${mean(cpu.moto).toFixed(0)} ms per request (10 ms ticks; the server's includes its outbox worker meanwhile)`,
    );
  }
  if (cpu.api.length) {
    // The API thread's own CPU per sign request (x-kyso-thread-cpu): what the request costs the server, whatever the load.
    console.log(`  sign CPU    API thread p50 ${pct(cpu.api, 50).toFixed(1)} ms, p95 ${pct(cpu.api, 95).toFixed(1)} ms per request`);
  }
  printCalls('AWS calls per sign request (x-kyso-aws-calls)', calls, lat.sign.length);
  const w = window();
  console.log(`  ${w.line}`);
  const mode = C === 1 ? 'sequential' : `concurrency ${C}`;
  if (C === 1) {
    atMost('HTTP sign request p50, sequential (moto)', pct(lat.sign, 50), 60, 'ms', 0);
    atMost('HTTP sign request p95, sequential (moto)', pct(lat.sign, 95), 150, 'ms', 0);
  } else {
    const splitP50 = Object.entries(split)
      .map(([k, xs]) => `${k} ${pct(xs, 50).toFixed(0)}`)
      .join(', ');
    report(
      `HTTP sign at ${mode}: p50/p95, signatures/s, split p50 (ms)`,
      `${pct(lat.sign, 50).toFixed(0)}/${pct(lat.sign, 95).toFixed(0)} ms, ${((2 * N) / seconds).toFixed(2)}/s; ${splitP50}`,
      'reported',
      undefined,
    );
  }
};

const httpBench = async () => {
  const server = await startServer();
  try {
    const pdf = Buffer.from(fixturePdf('hop-dong-lao-dong.pdf'));
    const key = server.devApiKey;
    const api = async (method: string, path: string, json?: unknown, auth = true) => {
      const started = performance.now();
      const r = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...(auth ? { authorization: `Bearer ${key}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) },
        ...(json ? { body: JSON.stringify(json) } : {}),
      });
      const body = (await r.json()) as Record<string, unknown>;
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(body)}`);
      return {
        body,
        ms: performance.now() - started,
        timing: r.headers.get('server-timing') ?? '',
        calls: r.headers.get('x-kyso-aws-calls'),
        threadCpu: r.headers.has('x-kyso-thread-cpu') ? Number(r.headers.get('x-kyso-thread-cpu')) : undefined,
      };
    };
    const moto = motoPid(server.awsEndpoint);
    for (const C of CONCURRENCIES) await pass(api, pdf, C, { server: server.pid, moto });
  } finally {
    await server.stop();
  }
};

// First: what one call to the local AWS endpoint costs bounds every HTTP number below.
if (Number(values['moto-calls']) > 0) await motoCallsBench({ calls: Number(values['moto-calls']) });
if (!values['skip-http'] && N > 0) await httpBench();
if (!values['skip-http'] && Number(values.signers) > 0) await manySignersBench(Number(values.signers));
if (!values['skip-engine']) {
  await engineBench();
  await verifyBench();
}
if (values['big-pdf']) await bigPdfBench();
if (Number(values['cold-start']) > 0) await coldStartBench(Number(values['cold-start']));
// Last: the slowest part (1,000 rows through the queue by default).
if (Number(values['bulk-rows']) > 0) await bulkBench(Number(values['bulk-rows']));
if (Number(values['labour-bulk']) > 0) await labourBulkBench(Number(values['labour-bulk']));
summary();
