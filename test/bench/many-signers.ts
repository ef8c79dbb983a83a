import { manySignersEnvelope, percentileOf } from '../support/many-signers.js';
import { type RunningServer, startServer } from '../support/start-server.js';
import { runPdfsig } from '../support/validators.js';
import { cpuWindow, motoPid, printCalls } from './process-stats.js';
import { atMost, report } from './targets.js';

/**
 * Issue 14: `n` signers of one signing order sign the same envelope at the same instant
 * (50 by default). Every request must land (200), every signature must be valid per pdfsig,
 * p95 ≤ 10 s and none near API Gateway's 29 s. Signers build one at a time under the
 * envelope's revision lease (shared/envelope/revision-lease.ts).
 */
export const manySignersBench = async (n: number, server?: RunningServer): Promise<void> => {
  const own = server ? undefined : await startServer();
  const s = (server ?? own) as RunningServer;
  try {
    const api = async <T>(method: string, path: string, json?: unknown, auth = true) => {
      const r = await fetch(`${s.url}${path}`, {
        method,
        headers: { ...(auth ? { authorization: `Bearer ${s.devApiKey}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) },
        ...(json ? { body: JSON.stringify(json) } : {}),
      });
      const type = r.headers.get('content-type') ?? '';
      const body = type.includes('json') ? await r.json() : type.includes('pdf') ? new Uint8Array(await r.arrayBuffer()) : await r.text();
      return { status: r.status, body: body as T, headers: r.headers };
    };
    const run = Date.now().toString(36);
    const emailOf = (i: number) => `ky.${i}.${run}@bench.vn`;
    const created = await api<{ id: string }>('POST', '/v1/envelopes', manySignersEnvelope(n, emailOf));
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    const id = created.body.id;
    const sent = await api('POST', `/v1/envelopes/${id}/send`);
    if (sent.status !== 200) throw new Error(`send: ${sent.status} ${JSON.stringify(sent.body)}`);
    // The invitations leave through the outbox: wait until every signer has their link (bounded).
    const tokens = new Map<string, string>();
    for (const until = Date.now() + 120_000; tokens.size < n; await new Promise((r) => setTimeout(r, 250))) {
      if (Date.now() > until) throw new Error(`only ${tokens.size} of ${n} invitations arrived`);
      const mail = await api<{ messages: { to: string; text: string }[] }>('GET', '/dev/mail', undefined, false);
      for (const m of mail.body.messages) {
        const token = /\/s\/([A-Za-z0-9_-]+)/.exec(m.text)?.[1];
        if (token && m.to.endsWith(`.${run}@bench.vn`)) tokens.set(m.to, token);
      }
    }
    // CPU of the server and of moto beside the wall time, with the load average (the machine is shared).
    const calls = async () => (await api<{ calls: Record<string, number> }>('GET', '/dev/aws-calls', undefined, false)).body.calls ?? {};
    const calls0 = await calls();
    const window = cpuWindow({ server: s.pid, moto: motoPid(s.awsEndpoint) });
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const r = await api<Record<string, unknown>>(
          'POST',
          `/v1/sign/${tokens.get(emailOf(i))}`,
          { signature: { type: 'typed', value: `Người ký số ${i + 1}` } },
          false,
        );
        return {
          status: r.status,
          ms: performance.now() - started,
          attempts: Number(r.headers.get('x-kyso-attempts') ?? 0),
          timing: r.headers.get('server-timing') ?? '',
        };
      }),
    );
    const total = performance.now() - started;
    const cpu = window();
    const calls1 = await calls();
    const ms = results.map((r) => r.ms);
    const landed = results.filter((r) => r.status === 200).length;
    const env = await api<{ status: string; documents: { id: string }[] }>('GET', `/v1/envelopes/${id}`);
    const pdf = await api<Uint8Array>('GET', `/v1/envelopes/${id}/documents/${env.body.documents[0]?.id}`);
    const root = await api<string>('GET', '/pki/root.pem', undefined, false);
    const cades = runPdfsig(pdf.body, [root.body]).signatures.filter((x) => x.subFilter === 'ETSI.CAdES.detached');
    const valid = cades.filter((x) => x.valid && x.trusted).length;
    console.log(`\n${n} signers of one order signing one envelope at the same instant (moto, one server)`);
    console.log(
      `  sign        p50 ${percentileOf(ms, 50).toFixed(0).padStart(5)} ms  p95 ${percentileOf(ms, 95).toFixed(0).padStart(5)} ms  max ${Math.max(
        ...ms,
      )
        .toFixed(0)
        .padStart(5)} ms  (n=${n}, all done in ${(total / 1000).toFixed(1)} s)`,
    );
    console.log(`  ${cpu.line}`);
    // Every AWS call of the server while they signed (its outbox worker's included), per signer.
    printCalls(
      'AWS calls per signer while they signed (GET /dev/aws-calls)',
      Object.fromEntries(
        Object.entries(calls1)
          .map(([k, v]) => [k, v - (calls0[k] ?? 0)])
          .filter(([, v]) => (v as number) > 0),
      ),
      n,
    );
    console.log(`  attempts    ${JSON.stringify(results.map((r) => r.attempts))}`);
    const split: Record<string, number[]> = {};
    for (const r of results) {
      for (const m of r.timing.matchAll(/(\w+);dur=([\d.]+)/g)) split[m[1] as string] = [...(split[m[1] as string] ?? []), Number(m[2])];
    }
    console.log(
      `  server side p50: ${Object.entries(split)
        .map(([k, xs]) => `${k} ${percentileOf(xs, 50).toFixed(0)} ms`)
        .join(', ')}`,
    );
    report(`${n} signers at once: landed (200)`, `${landed}/${n}`, `${n}/${n}`, landed === n);
    // Every CAdES signature: the n signers' and the platform's certification (the document timestamp is not CAdES).
    report(
      `${n} signers at once: CAdES signatures valid and trusted (pdfsig), envelope completed`,
      `${valid}/${cades.length}, ${env.body.status}`,
      `${n + 1}/${n + 1}, completed`,
      valid === n + 1 && cades.length === n + 1 && env.body.status === 'completed',
    );
    for (const bad of cades.filter((x) => !(x.valid && x.trusted))) console.log(`  not valid: ${bad.raw.slice(0, 600)}`);
    atMost(`${n} signers at once: sign p95`, percentileOf(ms, 95) / 1000, 10, 's');
    atMost(`${n} signers at once: sign max (API Gateway cuts at 29 s)`, Math.max(...ms) / 1000, 20, 's');
  } finally {
    await own?.stop();
  }
};
