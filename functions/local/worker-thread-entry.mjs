// The entry of `npm start`'s worker thread (functions/local/worker-thread.ts). The server runs under
// tsx (`--import tsx`): Node 22 gives the thread the parent's loader, Node 20 does not and cannot
// import the TypeScript module as it is. Then the thread registers tsx itself and imports it again
// (under another URL: a module that failed to load is not tried twice under the same one).
import { workerData } from 'node:worker_threads';

try {
  await import(workerData.entry);
} catch (e) {
  if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  const { register } = await import('tsx/esm/api');
  register();
  await import(`${workerData.entry}?tsx`);
}
