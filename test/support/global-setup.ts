import type { TestProject } from 'vitest/node';
import { startServer } from './start-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    awsEndpoint: string;
    adminKey: string;
    devApiKey: string;
  }
}

/** One running service for all integration tests; they talk HTTP to it and to its AWS endpoint. */
export default async function setup(project: TestProject) {
  const server = await startServer();
  project.provide('baseUrl', server.url);
  project.provide('awsEndpoint', server.awsEndpoint);
  project.provide('adminKey', server.adminKey);
  project.provide('devApiKey', server.devApiKey);
  return async () => {
    await server.stop();
    // A 500 anywhere in the run is a failure even if the test that caused it passed.
    const errors = server
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":"error"'));
    if (errors.length) throw new Error(`the server logged ${errors.length} error(s):\n${errors.slice(0, 5).join('\n')}`);
  };
}
