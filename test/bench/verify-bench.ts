import { loadavg } from 'node:os';
import { verifyPdf } from '../../shared/verify/verify-pdf.js';
import { signedDocument } from '../unit/verify/documents.js';
import { atLeast, collectGarbage, median, report } from './targets.js';

/**
 * Verifications per second, in process, of a completed (B-LTA) document with 2 and with 10
 * signatures: every check POST /v1/verify runs (revision walk included), without HTTP.
 * The same document is verified again and again; what is kept between verifications is only
 * what recurs across documents in production (CA certificates and their signature checks, a
 * CA's CRL signature checks, OIDs), never a signature's parse or result
 * (shared/verify/build-certificate-path.ts, check-revocation.ts).
 * Reports/s is given from wall time and from CPU time (the machine is shared: the load
 * average is printed beside it); the target is judged on CPU time per verification.
 */
export const verifyBench = async (seconds = 3) => {
  console.log('\nverification (in process, B-LTA documents, ECDSA P-256)');
  const docs: [string, Uint8Array, Uint8Array, number][] = [];
  for (const signers of [2, 10]) {
    const { pki, pdf } = await signedDocument({ signers });
    docs.push([`${signers} signatures`, pdf, pki.root, signers === 2 ? 100 : 30]);
  }
  // A file whose original revision uses object streams takes the full-parse path (shared/verify/fast-document.ts).
  const objstm = await signedDocument({ name: 'hop-dong-lao-dong.objstm.pdf', signers: 2 });
  docs.push(['2 signatures, object streams (full parse)', objstm.pdf, objstm.pki.root, 0]);
  for (const [label, pdf, root, target] of docs) {
    const options = { trustAnchors: [root], now: new Date() };
    const first = await verifyPdf(pdf, options);
    if (first.verdict !== 'valid') throw new Error(`bench document does not verify: ${first.reasons.join(', ')}`);
    for (let i = 0; i < 3; i++) await verifyPdf(pdf, options);
    // The loop pays for the collections its own garbage needs, not for what the engine bench left.
    collectGarbage();
    const wall: number[] = [];
    const cpu: number[] = [];
    const load = loadavg()[0] ?? 0;
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const started = performance.now();
      const c0 = process.cpuUsage();
      await verifyPdf(pdf, options);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      wall.push(performance.now() - started);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const perWall = (wall.length * 1000) / sum(wall);
    const perCpu = (cpu.length * 1000) / sum(cpu);
    console.log(
      `  ${label} (${(pdf.length / 1024).toFixed(0)} KB): ${perWall.toFixed(1)}/s wall, ${perCpu.toFixed(1)}/s CPU; p50 ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU (n=${wall.length}, load average ${load.toFixed(1)})`,
    );
    if (target) {
      atLeast(`verification reports/s, ${label} (B-LTA), CPU time`, perCpu, target, '/s');
      report(`verification reports/s, ${label} (B-LTA), wall`, `${perWall.toFixed(1)} /s`, `load ${load.toFixed(1)} on 2 cores`, undefined);
    }
  }
};
