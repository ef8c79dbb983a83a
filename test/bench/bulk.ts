import { createTransport } from '../../clients/typescript/src/index.js';
import { fixtureTemplate } from '../fixtures/fixtures.js';
import { type RunningServer, startServer } from '../support/start-server.js';
import { printBulkBound, rowDocumentCpuMs } from './bulk-bound.js';
import { cpuWindow, motoPid, printCalls } from './process-stats.js';
import { report } from './targets.js';

/**
 * Bulk send end to end: a template from the electricity-contract fixture, a CSV of `rows`
 * rows POSTed to /v1/bulk (send: true, so each row is rendered, stored, certified and
 * emailed), timed until GET /v1/bulk/{id} says completed — through the local SQS queue and
 * the in-process worker, exactly as `npm start` runs it.
 */
type Api = <T>(method: string, path: string, body?: string, type?: string) => Promise<T>;

/** The dev tenant's API on a server started for a bench. */
export const benchApi = (server: RunningServer): Api => {
  // The typed client's transport: idempotency keys on POSTs, retries on 429/5xx after Retry-After
  // (moto answering 503 under load), as an integrator's client would.
  const send = createTransport();
  return async <T>(method: string, path: string, body?: string, type = 'application/json'): Promise<T> => {
    const r = await send(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.devApiKey}`, ...(body ? { 'content-type': type } : {}) },
      ...(body ? { body } : {}),
    });
    const json = (await r.json()) as T;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
};

/** POSTs a CSV to /v1/bulk (send: true) and polls until the job is completed; prints progress and the server's warnings. */
export const timeBulk = async (server: RunningServer, templateId: string, csv: string, rows: number) => {
  const api = benchApi(server);
  const started = performance.now();
  const job = await api<{ id: string }>('POST', `/v1/bulk?templateId=${encodeURIComponent(templateId)}&send=true`, csv, 'text/csv');
  const accepted = performance.now() - started;
  let status = { status: 'running', done: 0, failedCount: 0 };
  let lastPrint = 0;
  let warned = 0;
  let unavailable = 0;
  while (status.status !== 'completed') {
    await new Promise((r) => setTimeout(r, 1000));
    // A status read that failed after the client's own retries (moto overloaded: 503) is read again
    // at the next poll, as an integrator's poller would; the job itself is unaffected.
    status = await api<typeof status>('GET', `/v1/bulk/${job.id}`).catch((e: Error) => {
      unavailable++;
      if (unavailable > 30) throw e;
      return status;
    });
    if (performance.now() - lastPrint > 15_000) {
      lastPrint = performance.now();
      console.log(`  … ${status.done + status.failedCount}/${rows} after ${((performance.now() - started) / 1000).toFixed(0)} s`);
      const warnings = server
        .output()
        .split('\n')
        .filter((l) => l.includes('"level":"warn"') || l.includes('"level":"error"'));
      if (warnings.length > warned) console.log(warnings.slice(warned, warned + 3).join('\n'));
      warned = warnings.length;
    }
  }
  return {
    jobId: job.id,
    seconds: (performance.now() - started) / 1000,
    acceptedMs: accepted,
    done: status.done,
    failed: status.failedCount,
  };
};

/** Every AWS call the server process made so far, by Service.Operation (GET /dev/aws-calls, local mode). */
const awsCalls = async (server: RunningServer): Promise<Record<string, number>> =>
  ((await (await fetch(`${server.url}/dev/aws-calls`)).json()) as { calls: Record<string, number> }).calls;

/**
 * Waits until the server's outbox owes nothing (bounded); resolves with what it still owes (0: drained).
 * First until SES has taken `emails` more emails than `sentBefore` (the process's own call count, which
 * costs the local endpoint nothing), then GET /dev/outbox every 2 s: that reads every outbox shard, and
 * asked every 500 ms during a 10,000-row backlog it kept the local endpoint busy on the bench's own question.
 */
const outboxDrained = async (server: RunningServer, timeoutMs: number, emails: number, sentBefore: number): Promise<number> => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && ((await awsCalls(server))['SES.SendEmail'] ?? 0) - sentBefore < emails) {
    await new Promise((r) => setTimeout(r, 1000));
  }
  let owed = Number.NaN;
  for (; Date.now() < until; await new Promise((r) => setTimeout(r, 2000))) {
    owed = ((await (await fetch(`${server.url}/dev/outbox`)).json()) as { owed: number }).owed;
    if (owed === 0) return 0;
  }
  return owed;
};

export const bulkBench = async (rows: number): Promise<void> => {
  const server = await startServer();
  try {
    const api = benchApi(server);
    const html = fixtureTemplate('hop-dong-dien.html');
    const template = await api<{ id: string }>(
      'POST',
      '/v1/templates',
      JSON.stringify({
        name: 'Hợp đồng mua bán điện',
        html,
        roles: [
          { name: 'Khách hàng', order: 1 },
          { name: 'Điện lực', order: 2, recipient: { name: 'Điện lực Thử Nghiệm', email: 'hopdong@dien.example.vn' } },
        ],
        fields: [
          { recipient: 0, type: 'signature', anchor: 'BÊN MUA ĐIỆN', width: 160, height: 44 },
          { recipient: 1, type: 'signature', anchor: 'BÊN BÁN ĐIỆN', width: 160, height: 44 },
        ],
      }),
    );
    const lines = Array.from(
      { length: rows },
      (_, i) => `"Nguyễn Văn ${i + 1}",kh${i + 1}@example.vn,"Nguyễn Văn ${i + 1}",PD${i + 1},${100000 + i},"Số ${i + 1}, Lê Lợi, Huế",5`,
    );
    const csv = `khach_hang_name,khach_hang_email,ho_ten,ma_kh,so_cong_to,dia_chi,cong_suat\n${lines.join('\n')}\n`;
    const callsBefore = await awsCalls(server);
    const window = cpuWindow({ server: server.pid, moto: motoPid(server.awsEndpoint) });
    const r = await timeBulk(server, template.id, csv, rows);
    // The outbox (invitation emails, audit events) drains after the job says completed: that is part of "sent".
    // One invitation per row (the first signer's).
    const owed = await outboxDrained(server, 600_000, rows, callsBefore['SES.SendEmail'] ?? 0);
    const w = window();
    const callsAfter = await awsCalls(server);
    const seconds = w.wall;
    console.log(
      `\nBulk send: ${rows} rows (render + store + certify + email each) completed in ${r.seconds.toFixed(1)} s, ` +
        `${owed === 0 ? 'invitations out' : 'outbox wait ended'} after ${seconds.toFixed(1)} s (${(rows / seconds).toFixed(1)} rows/s; 202 after ${r.acceptedMs.toFixed(0)} ms; ` +
        `done ${r.done}, failed ${r.failed})`,
    );
    if (owed !== 0) {
      // Not "out": the wait gave up. The per-row numbers below then lack the owed effects' calls and CPU.
      console.log(`  NOT DRAINED: the outbox still owed ${owed} item(s) when the wait ended (the invitations of those rows are not out)`);
    }
    console.log(`  ${w.line}`);
    const perRow = (k: string) => ((w.cpu[k] ?? Number.NaN) * 1000) / rows;
    console.log(`  CPU per row: server ${perRow('server').toFixed(1)} ms, moto ${perRow('moto').toFixed(1)} ms`);
    printCalls(
      'AWS calls per row (the whole process: request, queue, worker, outbox)',
      Object.fromEntries(Object.entries(callsAfter).map(([k, n]) => [k, n - (callsBefore[k] ?? 0)])),
      rows,
    );
    const calls = Object.fromEntries(Object.entries(callsAfter).map(([k, n]) => [k, n - (callsBefore[k] ?? 0)]));
    if (w.cpu.server !== undefined && w.cpu.moto !== undefined) {
      printBulkBound({
        rows,
        wallS: seconds,
        serverCpuS: w.cpu.server,
        motoCpuS: w.cpu.moto,
        calls,
        documentCpuMs: await rowDocumentCpuMs(html, (i) => ({
          ho_ten: `Nguyễn Văn ${i + 1}`,
          ma_kh: `PD${i + 1}`,
          so_cong_to: `${100000 + i}`,
          dia_chi: `Số ${i + 1}, Lê Lợi, Huế`,
          cong_suat: '5',
        })),
      });
    }
    const at10k = (10_000 * seconds) / rows / 60;
    report(
      `Bulk send, ${rows} rows with send=true: rows/s, 10,000 rows extrapolated`,
      `${(rows / seconds).toFixed(1)}/s, ${at10k.toFixed(1)} min`,
      '10,000 rows ≤ 5 min',
      rows >= 10_000 ? owed === 0 && at10k <= 5 : undefined,
    );
  } finally {
    await server.stop();
  }
};
