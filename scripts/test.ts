/**
 * `npm test`: two vitest runs at once, the integration files (one after another against their own
 * server and moto, as before) beside the rest (unit, infra, then the browser tests against theirs).
 * An integration file mostly waits on the server and moto, so on a 2-core CI machine the other run
 * uses what it leaves; run one after the other, the two took about their sum. Arguments go to both
 * (`npm test -- test/unit/pdf` runs what matches in each; a run with nothing to run passes).
 * Exits non-zero if either run fails. `npm run test:serial` is the single vitest run.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const runs = [
  { name: 'integration', projects: ['integration'] },
  { name: 'unit+infra+e2e', projects: ['unit', 'infra', 'e2e'] },
];

const run = ({ name, projects }: (typeof runs)[number]): Promise<number> =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', ...projects.flatMap((p) => ['--project', p]), '--passWithNoTests', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0') },
      },
    );
    // Each line says which run it is from: the two outputs interleave.
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
    }
    child.once('exit', (code, signal) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      process.stdout.write(`[${name}] finished in ${seconds} s: ${signal ?? `exit ${code}`}\n`);
      resolve(code ?? 1);
    });
  });

const codes = await Promise.all(runs.map(run));
process.exit(codes.some((c) => c !== 0) ? 1 : 0);
