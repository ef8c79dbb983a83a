import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { startServer } from '../support/start-server.js';
import { cpuSeconds, loadAverage, resetPeakRss, statusMb } from './process-stats.js';
import { report } from './targets.js';

/** The API function's memory in the CDK stack (infra/kyso-stack.ts, memorySize of the API Lambda). */
const API_LAMBDA_MB = 1024;

/**
 * A PDF of `pages` pages and about `bytes` bytes: each page has a line of text and a second content
 * stream that is one long comment of random text (incompressible, so the file really is that big).
 */
const bigPdf = async (pages: number, bytes: number): Promise<Uint8Array> => {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const perPage = Math.floor(((bytes / pages) * 3) / 4) - 200;
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`Phu luc hop dong - trang ${i + 1}/${pages}`, { x: 60, y: 780, size: 14, font });
    page.node.addContentStream(doc.context.register(doc.context.stream(`% ${randomBytes(perPage).toString('base64')}\n`)));
  }
  return doc.save({ useObjectStreams: false });
};

/**
 * Issue 16: a 50 MB, 500-page PDF through the presigned upload path, sent (certified) and signed
 * over HTTP; the server process's peak RSS (VmHWM, reset before each step) against the API
 * Lambda's memory. The server is `npm start`'s process: the API and the local worker in one, so
 * its peak is an upper bound of the API function's.
 */
export const bigPdfBench = async (): Promise<void> => {
  const server = await startServer();
  try {
    const pdf = await bigPdf(500, 50_000_000);
    const json = async <T>(method: string, path: string, body?: unknown, auth = true): Promise<T> => {
      const r = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(auth ? { authorization: `Bearer ${server.devApiKey}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const out = (await r.json()) as T;
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(out)}`);
      return out;
    };
    /** Wall, server CPU and the server's peak RSS over one step (its peak reset first). */
    const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
      const reset = resetPeakRss(server.pid);
      const cpu0 = cpuSeconds(server.pid);
      const started = performance.now();
      const out = await f();
      const wall = performance.now() - started;
      const cpu = (cpuSeconds(server.pid) ?? Number.NaN) - (cpu0 ?? Number.NaN);
      const peak = statusMb(server.pid, 'VmHWM');
      console.log(
        `  ${name.padEnd(34)} wall ${wall.toFixed(0).padStart(6)} ms, server CPU ${(cpu * 1000).toFixed(0).padStart(6)} ms, ` +
          `peak RSS ${peak?.toFixed(0) ?? '?'} MB${reset ? '' : ' (since start: VmHWM could not be reset)'}, load ${loadAverage()}`,
      );
      return out;
    };
    console.log(
      `\nA ${(pdf.length / 1e6).toFixed(1)} MB, 500-page PDF through the presigned upload path (server RSS now ${statusMb(server.pid, 'VmRSS')?.toFixed(0)} MB)`,
    );
    const slot = await step('POST /v1/uploads + PUT to S3', async () => {
      const s = await json<{ uploadId: string; url: string; headers: Record<string, string> }>('POST', '/v1/uploads', { size: pdf.length });
      const put = await fetch(s.url, { method: 'PUT', headers: s.headers, body: pdf as Uint8Array<ArrayBuffer> });
      if (!put.ok) throw new Error(`PUT to the presigned URL: ${put.status}`);
      return s;
    });
    const email = `big.${Date.now()}@bench.vn`;
    const created = await step('create (from the upload)', () =>
      json<{ id: string }>('POST', '/v1/envelopes', {
        title: 'Hợp đồng kèm phụ lục 500 trang',
        documents: [{ name: 'phu-luc.pdf', uploadId: slot.uploadId }],
        recipients: [{ name: 'Quách Văn Tuấn', email, order: 1 }],
        fields: [{ recipient: 0, document: 0, type: 'signature', page: 500, x: 72, y: 650, width: 180, height: 60 }],
      }),
    );
    await step('send (certification revision)', () => json('POST', `/v1/envelopes/${created.id}/send`));
    let token: string | undefined;
    for (const until = Date.now() + 120_000; !token && Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      const mail = (await json<{ messages: { to: string; text: string }[] }>('GET', '/dev/mail', undefined, false)).messages;
      token = /\/s\/(\S+)/.exec(mail.filter((m) => m.to === email).pop()?.text ?? '')?.[1];
    }
    if (!token) throw new Error('no signing link arrived');
    // The outbox's own work on the envelope (link, events) first, so the sign step measures the signature.
    await new Promise((r) => setTimeout(r, 2000));
    await step('sign (signature + B-LTA completion)', () =>
      json('POST', `/v1/sign/${token}`, { signature: { type: 'typed', value: 'Quách Văn Tuấn' } }, false),
    );
    const peak = statusMb(server.pid, 'VmHWM') ?? Number.NaN;
    report(
      'Big PDF (50 MB, 500 pages) signed over HTTP: server peak RSS of the sign step',
      `${peak.toFixed(0)} MB`,
      `≤ ${API_LAMBDA_MB} MB (API Lambda memory)`,
      peak <= API_LAMBDA_MB,
    );
  } finally {
    await server.stop();
  }
};
