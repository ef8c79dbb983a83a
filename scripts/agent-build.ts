/**
 * `npm run agent:build`: the local signing agent as one executable for this platform, with
 * Node's single executable application (SEA) feature: esbuild bundles tools/kyso-agent into one
 * CommonJS file, `node --experimental-sea-config` turns it into a blob, postject injects the
 * blob into a copy of this Node binary. Steps for Windows and macOS: docs/agent-build.md.
 *
 * The PKCS#11 binding (pkcs11js) is a native addon, and a SEA blob holds JavaScript only: the
 * bundle's `require('./build/Release/pkcs11.node')` is replaced by a loader that opens
 * `pkcs11.node` from the executable's own folder, and the build copies it there. The agent is
 * thus two files, `kyso-agent` and `pkcs11.node`; without the latter, PKCS#12 still works and
 * `--pkcs11` says `pkcs11_unavailable`.
 *
 *   npm run agent:build [-- --out dist/agent]
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

/** The blob's sentinel: Node's binary carries it, postject flips it when a blob is injected. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Where the native addon is found at run time: beside the executable (SEA), or beside the bundle (`node kyso-agent.cjs`). */
const NATIVE_LOADER = `
const path = require('node:path');
let inSea = false;
try { inSea = require('node:sea').isSea(); } catch {}
const file = path.join(inSea ? path.dirname(process.execPath) : __dirname, 'pkcs11.node');
const m = { exports: {} };
process.dlopen(m, file);
module.exports = m.exports;
`;

const nativeAddonBesideExecutable: Plugin = {
  name: 'pkcs11-node-beside-executable',
  setup(b) {
    b.onResolve({ filter: /pkcs11\.node$/ }, (args) => ({ path: args.path, namespace: 'kyso-native' }));
    b.onLoad({ filter: /.*/, namespace: 'kyso-native' }, () => ({ contents: NATIVE_LOADER, loader: 'js' }));
  },
};

export const buildAgent = async (outDir: string): Promise<{ executable: string; addon: string | undefined; seconds: number }> => {
  const started = process.hrtime.bigint();
  const root = resolve(import.meta.dirname, '..');
  const out = resolve(outDir);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const bundle = join(out, 'kyso-agent.cjs');
  await build({
    entryPoints: [join(root, 'tools/kyso-agent/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile: bundle,
    plugins: [nativeAddonBesideExecutable],
    logLevel: 'warning',
    legalComments: 'none',
  });
  const blob = join(out, 'sea-prep.blob');
  const seaConfig = join(out, 'sea-config.json');
  writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: ['ignore', 'ignore', 'inherit'] });

  const isWindows = process.platform === 'win32';
  const executable = join(out, isWindows ? 'kyso-agent.exe' : 'kyso-agent');
  copyFileSync(process.execPath, executable);
  chmodSync(executable, 0o755);
  const postject = join(dirname(createRequire(import.meta.url).resolve('postject/package.json')), 'dist', 'cli.js');
  const macho = process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
  if (process.platform === 'darwin') execFileSync('codesign', ['--remove-signature', executable]);
  // postject's LIEF prints harmless "Can't find string offset" warnings for Node's ELF notes: kept out of the output (its errors still throw).
  execFileSync(process.execPath, [postject, executable, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, ...macho], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', executable]);

  let addon: string | undefined;
  try {
    const source = join(dirname(createRequire(import.meta.url).resolve('pkcs11js/package.json')), 'build', 'Release', 'pkcs11.node');
    statSync(source);
    addon = join(out, 'pkcs11.node');
    copyFileSync(source, addon);
  } catch {
    process.stderr.write(
      'pkcs11js is not built here: the executable will sign with PKCS#12 files only (--pkcs11 answers pkcs11_unavailable).\n',
    );
  }
  rmSync(blob);
  rmSync(seaConfig);
  return { executable, addon, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
};

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const cpu = process.cpuUsage();
  const result = await buildAgent(values.out ?? 'dist/agent');
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${result.executable}${result.addon ? ` + ${result.addon}` : ''}: built in ${result.seconds.toFixed(1)} s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s in this process)\n`,
  );
}
