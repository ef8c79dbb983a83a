import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every temporary file of a run (CDK out dirs, rendered PDFs, browser profiles, openssl inputs)
// goes under one folder that is removed when the run ends, so nothing is left in the system's tmp.
if (!process.env.KYSO_TEST_TMP) {
  const root = mkdtempSync(join(tmpdir(), 'kyso-test-'));
  process.env.KYSO_TEST_TMP = root;
  process.env.TMPDIR = root;
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Starts moto (unless AWS_ENDPOINT_URL is set) and the real server, once for all files.
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // A browser polls what the page shows; on a loaded CI machine a sign-in (scrypt) alone can take over a second.
          expect: { poll: { timeout: 10_000 } },
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
        },
      },
    ],
  },
});
