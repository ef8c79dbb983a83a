import { describe, expect, it } from 'vitest';
import { runCrashTest } from '../../scripts/crash-test-lib.js';

/**
 * The crash test of issue 14, small: a few signing runs whose service is killed (SIGKILL) at a
 * random moment, restarted on the same AWS endpoint (its own moto, so no other worker finishes
 * what the dead one owed), the cut sign requests retried, the repair sweep run; then every
 * invariant checked from outside (pdfsig, qpdf, the audit verify route, SES's own record, the
 * webhook receiver's delivery ids). `npm run crash-test -- --runs 50` is the full one.
 */
describe('SIGKILL during signing (issue 14)', () => {
  it('loses nothing and does nothing twice: signatures, B-LTA revision, signed head, completion emails, envelope.completed', async () => {
    const lines: string[] = [];
    const report = await runCrashTest({ runs: 3, seed: 20261202, log: (l) => lines.push(l) });
    process.stdout.write(`${lines.join('\n')}\n`);
    expect(report.runs).toHaveLength(3);
    expect(
      report.runs.filter((r) => r.broken.length > 0),
      lines.join('\n'),
    ).toEqual([]);
    // Each run really was killed and restarted, and its state at the kill was read.
    for (const r of report.runs) {
      expect(r.restartMs).toBeGreaterThan(0);
      expect(r.atKill).not.toBe('');
    }
  }, 600_000);
});
