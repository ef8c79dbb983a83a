import { parseArgs } from 'node:util';
import { fixturePdf } from '../fixtures/fixtures.js';
import { startServer } from '../support/start-server.js';
import { bulkBench } from './bulk.js';
import { coldStartBench } from './cold-start.js';
import { engineBench } from './engine-bench.js';
import { labourBulkBench } from './labour-bulk.js';
import { manySignersBench } from './many-signers.js';
import { summary } from './targets.js';
import { verifyBench } from './verify-bench.js';

const { values } = parseArgs({
  options: {
    envelopes: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
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
  },
});
const N = Number(values.envelopes);
const C = Number(values.concurrency);

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
      return { body, ms: performance.now() - started, timing: r.headers.get('server-timing') ?? '' };
    };
    const lat = { create: [] as number[], send: [] as number[], sign: [] as number[] };
    const split: Record<string, number[]> = {};
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
            const mail = (await api('GET', '/dev/mail', undefined, false)).body.messages as { to: string; text: string }[];
            token = /\/s\/(\S+)/.exec(mail.filter((m) => m.to === email).pop()?.text ?? '')?.[1];
          }
          const s = await api('POST', `/v1/sign/${token}`, { signature: { type: 'typed', value: 'Nguyễn Văn An' } }, false);
          lat.sign.push(s.ms);
          for (const m of s.timing.matchAll(/(\w+);dur=([\d.]+)/g)) {
            const category = m[1] as string;
            split[category] = [...(split[category] ?? []), Number(m[2])];
          }
        }
      },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`\nEnd to end over HTTP (moto, ${N} two-signer envelopes, concurrency ${C})`);
    console.log(
      `  throughput  ${(N / seconds).toFixed(2)} envelopes/s completed (${((2 * N) / seconds).toFixed(2)} signatures/s), ${seconds.toFixed(1)} s total`,
    );
    console.log(`  create      ${fmt(lat.create)}`);
    console.log(`  send        ${fmt(lat.send)}`);
    console.log(`  sign        ${fmt(lat.sign)}`);
    console.log('  sign split (server side, per request):');
    for (const [k, xs] of Object.entries(split)) console.log(`    ${k.padEnd(4)} ${fmt(xs)}`);
  } finally {
    await server.stop();
  }
};

if (!values['skip-http']) await httpBench();
if (!values['skip-http'] && Number(values.signers) > 0) await manySignersBench(Number(values.signers));
if (!values['skip-engine']) {
  await engineBench();
  await verifyBench();
}
if (Number(values['cold-start']) > 0) await coldStartBench(Number(values['cold-start']));
// Last: the slowest part (1,000 rows through the queue by default).
if (Number(values['bulk-rows']) > 0) await bulkBench(Number(values['bulk-rows']));
if (Number(values['labour-bulk']) > 0) await labourBulkBench(Number(values['labour-bulk']));
summary();
