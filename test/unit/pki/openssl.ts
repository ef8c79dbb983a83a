import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs openssl in `cwd`; returns its combined output and exit status (never throws on failure). */
export const openssl = (args: readonly string[], cwd: string): { ok: boolean; output: string } => {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};

/** A throwaway directory that lives until the async work in it is done. */
export const inTempDir = async <T>(fn: (dir: string) => Promise<T>): Promise<T> => {
  const dir = mkdtempSync(join(tmpdir(), 'kyso-pki-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
