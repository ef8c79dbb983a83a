import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });

export const hasMoto = (): boolean => spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

/** moto's server with DynamoDB calls made atomic (moto-server.py says why), run by the Python that has moto. */
const ATOMIC_LAUNCHER = fileURLToPath(new URL('./moto-server.py', import.meta.url));

/**
 * Starts moto's standalone server on a free loopback port and waits until it answers.
 * Returns its endpoint and a stop function (also called on process exit). Our launcher first
 * (conditional writes as atomic as DynamoDB's); if `python3` cannot run it (moto installed for
 * another interpreter), plain moto_server.
 */
export const startMoto = async (): Promise<{ endpoint: string; stop: () => void; process: ChildProcess }> => {
  if (!hasMoto()) {
    throw new Error(
      'moto_server was not found. Install it with: pip install "moto[server]"\n' +
        'or point Kyso at another AWS-compatible endpoint: AWS_ENDPOINT_URL=http://localhost:4566 (LocalStack).',
    );
  }
  try {
    return await runMoto('python3', [ATOMIC_LAUNCHER]);
  } catch {
    return runMoto('moto_server', []);
  }
};

const runMoto = async (command: string, args: string[]): Promise<{ endpoint: string; stop: () => void; process: ChildProcess }> => {
  const port = await freePort();
  const child = spawn(command, [...args, '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  let failed: Error | undefined;
  child.once('error', (e) => (failed = e)); // not installed: ENOENT comes as an event, not a throw
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.status < 500) break;
    } catch {
      // not up yet
    }
    const why =
      failed ??
      (child.exitCode !== null || child.signalCode !== null
        ? new Error(`${command} exited with code ${child.exitCode}`)
        : Date.now() > deadline
          ? new Error(`${command} did not start within 30 s`)
          : undefined);
    if (why) {
      // Nothing to stop at exit any more (startMoto may go on to try plain moto_server).
      stop();
      process.off('exit', stop);
      throw why;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { endpoint, stop, process: child };
};
