import { type ChildProcess, spawn } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    awsEndpoint: string;
    adminKey: string;
    devApiKey: string;
  }
}

/**
 * Starts the service exactly as `npm start` does (it starts its own moto_server unless
 * AWS_ENDPOINT_URL is set) on a free port, and hands its URL to the tests. Tests then talk
 * HTTP to it and, for checks "nothing was stored", to the AWS endpoint directly.
 */
export default async function setup(project: TestProject) {
  const devApiKey = `kyso_test_${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'functions/local/start.ts'], {
    env: { ...process.env, PORT: '0', KYSO_API_KEY: devApiKey, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<Record<string, string>>((resolve, reject) => {
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
  const info = await ready;
  project.provide('baseUrl', info.url as string);
  project.provide('awsEndpoint', info.aws as string);
  project.provide('adminKey', info.admin as string);
  project.provide('devApiKey', devApiKey);
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    // A 500 anywhere in the run is a failure even if the test that caused it passed.
    const errors = output.split('\n').filter((l) => l.includes('"level":"error"'));
    if (errors.length) throw new Error(`the server logged ${errors.length} error(s):\n${errors.slice(0, 5).join('\n')}`);
  };
}
