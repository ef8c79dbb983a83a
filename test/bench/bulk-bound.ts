import { addCertificationRevision } from '../../shared/pdf/certify-revision.js';
import { assertPdfWithinLimits } from '../../shared/pdf/pdf-limits.js';
import { loadPdf } from '../../shared/pdf/pdf-structure.js';
import { contentsSizeFor, signCadesDetached } from '../../shared/pki/cms.js';
import { createTimestampToken } from '../../shared/pki/timestamp-token.js';
import { mergeHtml } from '../../shared/templates/merge.js';
import { renderHtml } from '../../shared/templates/render-html.js';
import { createTestPki } from '../support/test-pki.js';

/**
 * What bounds a bulk send on this machine, from what one run measured (bulk.ts), and what that
 * projects to on AWS. The split of a row's server CPU: the document work (render, validate,
 * certify) is timed here in process; the rest is the AWS calls (SDK, HTTP, JSON), the outbox
 * worker's bookkeeping and the local job loop.
 */

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU ms of one row's document work (render + validate + certify with a software key and TSA), median-ish over `n` after warm-up. */
export const rowDocumentCpuMs = async (html: string, values: (i: number) => Record<string, string>, n = 20): Promise<number> => {
  const pki = await createTestPki();
  const certificate = await pki.issueSigner('Bench (qua Kyso / via Kyso)');
  const chain = [pki.ca, pki.root];
  const clock = { now: () => new Date() };
  let total = 0;
  for (let i = 0; i < n + 3; i++) {
    const start = cpuMs();
    const r = await renderHtml(mergeHtml(html, values(i)), { title: 'bench', date: new Date() });
    await assertPdfWithinLimits(r.pdf);
    await loadPdf(r.pdf);
    await addCertificationRevision({
      pdf: r.pdf,
      fields: [{ name: 'kyso-signature-bench', type: 'signature', rect: { page: 1, x: 60, y: 600, width: 160, height: 44 }, lock: [] }],
      signerName: 'Bench',
      signedAt: new Date(),
      contentsSize: contentsSizeFor({ signerCertificate: certificate, chain }, true),
      sign: (digest) =>
        signCadesDetached({ contentDigest: digest, signerCertificate: certificate, chain }, pki.signerKey, (d) =>
          createTimestampToken({ digest: d, tsa: pki.tsa, clock }),
        ),
    });
    if (i >= 3) total += cpuMs() - start;
  }
  return total / n;
};

/**
 * The stack's capacity for bulk rows, as infra/kyso-stack.ts configures it (change both together):
 * the bulk queue's worker (512 MB, maxConcurrency 3) and the outbox worker (1024 MB, a stream shard
 * with parallelizationFactor 4). Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB.
 */
const STACK = { workerVcpu: 3 * (512 / 1769), outboxVcpu: 4 * (1024 / 1769) } as const;
/** KMS's default request quota for ECC Sign (per account and region); the platform key is ECC P-256. */
const KMS_ECC_SIGN_PER_S = 300;

export interface BulkMeasurement {
  readonly rows: number;
  readonly wallS: number;
  readonly serverCpuS: number;
  readonly motoCpuS: number;
  readonly calls: Readonly<Record<string, number>>;
  readonly documentCpuMs: number;
}

/** Prints the emulator-bound proof (measured) and the AWS projection (labelled as one). */
export const printBulkBound = (m: BulkMeasurement): void => {
  const calls = Object.values(m.calls).reduce((a, b) => a + b, 0);
  const perRow = calls / m.rows;
  const motoRow = (m.motoCpuS * 1000) / m.rows;
  const serverRow = (m.serverCpuS * 1000) / m.rows;
  const motoPerCall = (m.motoCpuS * 1000) / calls;
  const restPerCall = (serverRow - m.documentCpuMs) / perRow;
  const kmsSignRow = (m.calls['KMS.Sign'] ?? 0) / m.rows;
  const min10k = (msPerRow: number, cores: number) => (10_000 * msPerRow) / cores / 60_000;
  console.log('  What bounds it on this machine (measured in this run):');
  console.log(
    `    moto: ${motoRow.toFixed(1)} ms CPU per row = ${perRow.toFixed(1)} AWS calls × ${motoPerCall.toFixed(2)} ms per call; ` +
      `one Python process, one core at most → 10,000 rows ≥ ${min10k(motoRow, 1).toFixed(1)} min from moto alone`,
  );
  console.log(
    `    server: ${serverRow.toFixed(1)} ms CPU per row = ${m.documentCpuMs.toFixed(1)} ms document work (render, validate, certify; timed in process) ` +
      `+ ${(serverRow - m.documentCpuMs).toFixed(1)} ms the rest (${restPerCall.toFixed(2)} ms per AWS call: SDK, HTTP, outbox, job loop); ` +
      `one Node thread → ≥ ${min10k(serverRow, 1).toFixed(1)} min`,
  );
  console.log(
    `    both, perfectly overlapped on 2 cores: ≥ ${min10k(Math.max(motoRow, serverRow, (motoRow + serverRow) / 2), 1).toFixed(1)} min for 10,000 rows ` +
      `(this run: ${((m.rows / m.wallS) * 1).toFixed(1)} rows/s, ${(((serverRow + motoRow) / 1000) * (m.rows / m.wallS)).toFixed(2)} cores busy)`,
  );
  const lambdaRow = serverRow; // upper bound: everything the server did per row, minus nothing
  const vcpu = STACK.workerVcpu + STACK.outboxVcpu;
  console.log('  Projection for AWS (not measured; assumptions named):');
  console.log(
    `    no emulator: DynamoDB, S3, KMS and SES do their own work. Lambda CPU per row ≤ ${lambdaRow.toFixed(0)} ms (this server's), ` +
      `on ${vcpu.toFixed(2)} vCPU (bulk worker 3 × 512 MB + outbox 4 × 1024 MB) → 10,000 rows ≈ ${min10k(lambdaRow, vcpu).toFixed(1)} min CPU-bound; ` +
      `the document work alone on the bulk worker's ${STACK.workerVcpu.toFixed(2)} vCPU: ${min10k(m.documentCpuMs, STACK.workerVcpu).toFixed(1)} min`,
  );
  console.log(
    `    KMS: ${kmsSignRow.toFixed(2)} Sign per row at ${KMS_ECC_SIGN_PER_S}/s (default ECC quota) → ≥ ${((10_000 * kmsSignRow) / KMS_ECC_SIGN_PER_S / 60).toFixed(1)} min; ` +
      'SES: one invitation per row at the account’s sending rate R/s → 10,000/R s (5 min needs R ≥ 34/s; the default after the sandbox is 14/s: 12 min)',
  );
};
