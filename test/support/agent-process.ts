import { type ChildProcess, spawn } from 'node:child_process';

export interface AgentProcess {
  /** Where it listens (127.0.0.1, a port it picked). */
  readonly url: string;
  /** The next pairing code it shows on its terminal (stderr), after a POST /v1/pair: its output may arrive after the HTTP answer. */
  pairingCode(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

/** `npm run agent -- <args>` (or another command, e.g. the single-file build): the agent as a person runs it. */
export const AGENT_FROM_SOURCE = [process.execPath, '--import', 'tsx', 'tools/kyso-agent/main.ts'];

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/**
 * Runs the agent to completion (it fails, or prints --help/--version) and returns what it said.
 * Bounded: a hung agent is killed after `timeoutMs`.
 */
export const runAgent = async (
  command: readonly string[],
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> => {
  const [file, ...pre] = command as [string, ...string[]];
  const child = spawn(file, [...pre, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited(child);
  clearTimeout(timer);
  return { code: child.exitCode, stdout, stderr };
};

/** Starts the agent and resolves once it listens; `stdin` is written to it (a PIN line with --pin-stdin), then closed. */
export const startAgentProcess = async (
  command: readonly string[],
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {},
): Promise<AgentProcess> => {
  const [file, ...pre] = command as [string, ...string[]];
  const child = spawn(file, [...pre, ...args, '--port', '0'], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.stdin ?? '');
  let out = '';
  let shown = 0;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the agent did not start:\n${out}`)), options.timeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (listening) {
        clearTimeout(timer);
        resolve(listening);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the agent exited (${code}):\n${out}`));
    });
  });
  return {
    url,
    pairingCode: async () => {
      for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
        const code = [...out.matchAll(/Code: (\d{6})/g)][shown]?.[1];
        if (code) {
          shown++;
          return code;
        }
      }
      throw new Error(`the agent showed no pairing code:\n${out}`);
    },
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
};
