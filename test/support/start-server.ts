import { type ChildProcess, spawn } from 'node:child_process';

export interface RunningServer {
  readonly url: string;
  readonly awsEndpoint: string;
  readonly adminKey: string;
  readonly devApiKey: string;
  /** The server process's id (the benchmark reads its CPU time and peak RSS from /proc). */
  readonly pid: number | undefined;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL: no shutdown, no finally, as a crash or a Lambda timeout does) and resolves once it is gone. */
  kill(): Promise<void>;
}

/**
 * Starts the service exactly as `npm start` does (its own moto_server unless AWS_ENDPOINT_URL
 * is set) on a free port, and resolves once it prints where it listens.
 */
export const startServer = async (env: Record<string, string> = {}): Promise<RunningServer> => {
  const devApiKey = `kyso_test_${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'functions/local/start.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      KYSO_API_KEY: devApiKey,
      NODE_NO_WARNINGS: '1',
      // Webhook retries in seconds, not hours (test/integration/webhooks.test.ts counts on 4 attempts).
      KYSO_WEBHOOK_BACKOFF_BASE_MS: '200',
      KYSO_WEBHOOK_MAX_ATTEMPTS: '4',
      // Every test talks from 127.0.0.1: one client as far as per-IP limits go (request-limits.test.ts tests low ones).
      KYSO_RATE_LIMIT_IP: '1000000',
      KYSO_RATE_LIMIT_TENANT: '1000000',
      // Failed console sign-ins per address: the whole run signs in from 127.0.0.1 (the limit itself: test/unit/console/totp.test.ts).
      KYSO_LOGIN_LIMIT_IP: '1000000',
      // Labour-platform retries and polls in a fraction of a second; a slow platform answer times out after 1.5 s.
      KYSO_LABOUR_BACKOFF_BASE_MS: '300',
      KYSO_LABOUR_POLL_MS: '300',
      KYSO_LABOUR_PLATFORM_TIMEOUT_MS: '1500',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const url = /Kyso listening on (\S+)/.exec(output)?.[1];
      const aws = /AWS endpoint: (\S+)/.exec(output)?.[1];
      const admin = /Admin key: (\S+)/.exec(output)?.[1];
      if (url && aws && admin) {
        clearTimeout(timer);
        resolve({ url, aws, admin });
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}):\n${output}`));
    });
  });
  return {
    url: info.url as string,
    awsEndpoint: info.aws as string,
    adminKey: info.admin as string,
    devApiKey,
    pid: child.pid,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
};

/** A small client for a server started here: JSON in, JSON or bytes out, the dev API key unless `auth` is false. */
export const serverApi =
  (server: RunningServer) =>
  /** `auth`: the dev API key (true), none (false), or this key (a string: another tenant's). */
  async <T>(method: string, path: string, json?: unknown, auth: boolean | string = true): Promise<{ status: number; body: T }> => {
    // What a test reads from the dev outboxes is sent by the outbox worker: wait until this server owes nothing (bounded).
    if (method === 'GET' && /^\/dev\/(mail|sms|zalo)/.test(path)) {
      for (let until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
        const owed = await fetch(`${server.url}/dev/outbox`).then((r) => r.json() as Promise<{ owed: number }>);
        if (owed.owed === 0) break;
      }
    }
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${typeof auth === 'string' ? auth : server.devApiKey}` } : {}),
        ...(json ? { 'content-type': 'application/json' } : {}),
      },
      ...(json ? { body: JSON.stringify(json) } : {}),
    });
    const body = r.headers.get('content-type')?.includes('json') ? await r.json() : new Uint8Array(await r.arrayBuffer());
    return { status: r.status, body: body as T };
  };
