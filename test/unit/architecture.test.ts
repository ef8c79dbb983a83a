import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });

describe('architecture', () => {
  it('keeps shared/ (the domain) free of the AWS SDK, Hono and functions/', () => {
    const offenders = files(join(ROOT, 'shared')).filter((f) => /from ['"](@aws-sdk\/|hono|.*functions\/)/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('reads process.env only at entry points (config, local start, tests)', () => {
    const allowed = ['functions/config.ts', 'functions/local/start.ts'];
    const offenders = [...files(join(ROOT, 'shared')), ...files(join(ROOT, 'functions'))]
      .filter((f) => readFileSync(f, 'utf8').includes('process.env'))
      .map((f) => f.slice(ROOT.length + 1))
      .filter(
        (f) =>
          !allowed.includes(f) && !f.endsWith('lambda.ts') && !f.startsWith('functions/worker') && !f.startsWith('functions/scheduler'),
      );
    expect(offenders).toEqual([]);
  });
});
