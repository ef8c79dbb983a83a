import { verifyPdf } from '../../shared/verify/verify-pdf.js';
import { signedDocument } from '../unit/verify/documents.js';
import { atLeast } from './targets.js';

/**
 * Verifications per second, in process, of a completed (B-LTA) document with 2 and with 10
 * signatures: every check POST /v1/verify runs (revision walk included), without HTTP.
 */
export const verifyBench = async (seconds = 3) => {
  console.log('\nverification (in process, B-LTA documents, ECDSA P-256)');
  for (const signers of [2, 10]) {
    const { pki, pdf } = await signedDocument({ signers });
    const options = { trustAnchors: [pki.root], now: new Date() };
    const first = await verifyPdf(pdf, options);
    if (first.verdict !== 'valid') throw new Error(`bench document does not verify: ${first.reasons.join(', ')}`);
    const times: number[] = [];
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const started = performance.now();
      await verifyPdf(pdf, options);
      times.push(performance.now() - started);
    }
    const total = times.reduce((a, b) => a + b, 0);
    const p50 = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0;
    atLeast(`verification reports/s, ${signers} signatures (B-LTA)`, (times.length * 1000) / total, signers === 2 ? 100 : 30, '/s');
    console.log(
      `  ${String(signers).padStart(2)} signatures (${(pdf.length / 1024).toFixed(0)} KB): ${((times.length * 1000) / total).toFixed(1)} verifications/s  p50 ${p50.toFixed(0)} ms  (n=${times.length})`,
    );
  }
};
