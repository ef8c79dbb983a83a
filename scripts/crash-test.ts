import { parseArgs } from 'node:util';
import { runCrashTest } from './crash-test-lib.js';

/**
 * `npm run crash-test -- [--runs 50] [--seed N]`
 *
 * Starts moto and a webhook receiver, then for each run: an envelope of 2–3 signers (webhook
 * subscribed) signed in parallel, the service killed (SIGKILL) after a random delay, restarted
 * against the same endpoint, the cut sign requests retried with the same links, the repair sweep
 * run and the outbox drained; then every invariant of issue 14 checked with outside validators
 * (scripts/crash-test-lib.ts). Prints a table of kill points and results; exits 1 if any run broke one.
 * The seed (printed) replays the same kill delays.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
  },
});
const report = await runCrashTest({ runs: Number(values.runs), seed: Number(values.seed) });
process.exit(report.failed > 0 ? 1 : 0);
