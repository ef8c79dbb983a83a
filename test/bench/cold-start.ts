import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { API_BUNDLE_PATH, API_RUNTIME_FILES } from '../../infra/kyso-stack.js';
import { median, report } from './targets.js';

const require = createRequire(import.meta.url);

/**
 * Lambda cold start of the API (issue 16): the API bundle built as infra/constructs/bundled-function.ts
 * builds it (esbuild, ESM, node22, minified, the same banner and main fields), laid out like the
 * deployment package, then imported in fresh Node processes outside the repository: module
 * evaluation + loadConfig + composeAppDeps + createApp (functions/api/lambda.ts does all of it at
 * import), no network. Reports the median of `runs` processes, wall and CPU, and the bundle size.
 */
export const coldStartBench = async (runs = 7): Promise<void> => {
  console.log('\nLambda cold start (API bundle: import + composition root, fresh process, no network)');
  const dir = mkdtempSync(join(tmpdir(), 'kyso-cold-'));
  try {
    const out = join(dir, API_BUNDLE_PATH);
    const result = await build({
      entryPoints: ['functions/api/lambda.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      mainFields: ['module', 'main'],
      banner: { js: "import{createRequire as __kysoRequire}from'node:module';globalThis.require??=__kysoRequire(import.meta.url);" },
      outfile: out,
      metafile: true,
      logLevel: 'error',
    });
    for (const f of API_RUNTIME_FILES) {
      const [from, to] = 'repoPath' in f ? [f.repoPath, f.repoPath] : [require.resolve(f.packageFile), join('node_modules', f.packageFile)];
      mkdirSync(dirname(join(dir, to)), { recursive: true });
      cpSync(from, join(dir, to));
    }
    const size = statSync(out).size;
    const gz = gzipSync(readFileSync(out)).length;
    const script = `const c0 = process.cpuUsage(); const t0 = performance.now();
const { app } = await import(${JSON.stringify(out)});
if (!app) throw new Error('no app');
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ importMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, sinceStartMs: performance.now(), rssMb: process.memoryUsage().rss / 1048576 }));`;
    const samples: { importMs: number; cpuMs: number; sinceStartMs: number; rssMb: number }[] = [];
    const load = loadavg()[0] ?? 0;
    for (let i = 0; i < runs; i++) {
      const stdout = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'ap-southeast-1',
          AWS_ACCESS_KEY_ID: 'cold-start',
          AWS_SECRET_ACCESS_KEY: 'cold-start',
          KYSO_TABLE: 'kyso-cold-start',
          KYSO_BUCKET: 'kyso-cold-start',
          // As on Lambda: what loads only there (the X-Ray tracer, functions/tracer.ts) is part of the cold start.
          AWS_LAMBDA_FUNCTION_NAME: 'kyso-api-cold-start',
          NODE_NO_WARNINGS: '1',
        },
        encoding: 'utf8',
      });
      samples.push(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'));
    }
    const output = Object.entries(result.metafile.outputs).find(([k]) => k.endsWith('.mjs'))?.[1];
    const top = Object.entries(output?.inputs ?? {})
      .map(([file, v]) => [file.replace(/^node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*$/, '$1'), v.bytesInOutput] as const)
      .reduce((m, [pkg, n]) => m.set(pkg, (m.get(pkg) ?? 0) + n), new Map<string, number>());
    const biggest = [...top]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([p, n]) => `${p.startsWith('functions/') || p.startsWith('shared/') ? 'own code' : p} ${(n / 1024).toFixed(0)} KB`);
    const importMs = median(samples.map((s) => s.importMs));
    const cpuMs = median(samples.map((s) => s.cpuMs));
    console.log(`  bundle ${(size / 1048576).toFixed(2)} MB (${(gz / 1048576).toFixed(2)} MB gzip); largest inputs: ${biggest.join(', ')}`);
    console.log(
      `  import + compose: median ${importMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU; process start to ready ${median(samples.map((s) => s.sinceStartMs)).toFixed(0)} ms; RSS ${median(samples.map((s) => s.rssMb)).toFixed(0)} MB (n=${runs}, load average ${load.toFixed(1)})`,
    );
    report('API cold start: import + composition root (median, CPU)', `${cpuMs.toFixed(0)} ms`, 'measured', undefined);
    report('API bundle size', `${(size / 1048576).toFixed(2)} MB`, 'was 3.1 MB', undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
