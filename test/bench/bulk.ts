import { createTransport } from '../../clients/typescript/src/index.js';
import { fixtureTemplate } from '../fixtures/fixtures.js';
import { type RunningServer, startServer } from '../support/start-server.js';

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
    const r = await timeBulk(server, template.id, csv, rows);
    console.log(
      `\nBulk send: ${rows} rows (render + store + certify + email each) in ${r.seconds.toFixed(1)} s end to end ` +
        `(${(rows / r.seconds).toFixed(1)} rows/s; 202 after ${r.acceptedMs.toFixed(0)} ms; done ${r.done}, failed ${r.failed})`,
    );
  } finally {
    await server.stop();
  }
};
