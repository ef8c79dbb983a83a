import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { OutboxSignal } from '../../shared/envelope/deps.js';
import { createAwsClients } from '../aws/clients.js';
import { composeAppDeps } from '../compose.js';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { awsCallTotals } from '../request-scope.js';
import { inProcessOutboxSignal } from '../worker/outbox-signal.js';
import { startJobPoller } from './job-poller.js';

/**
 * `npm start`'s stand-in for the worker Lambdas (the SQS jobs, the SES events, the outbox), in a
 * worker thread of the local server: its own event loop and its own clients and caches, as a
 * separate Lambda has, so a completion's certificate and LTV revision never stall a request on the
 * API's event loop. The API's commits wake it through `signal` (on AWS the table's stream does).
 */
export interface LocalWorker {
  /** Tells the worker an envelope owes effects (the API's commits). */
  readonly signal: OutboxSignal;
  /** The worker's AWS calls so far, by "Service.Operation" (GET /dev/aws-calls adds them to the API's). */
  awsCalls(): Promise<Record<string, number>>;
  /** Resolves once the worker has composed its dependencies and is polling. */
  readonly ready: Promise<void>;
  /** Stops polling, waits for the running jobs and drains, then ends the thread. */
  stop(): Promise<void>;
}

type ToWorker =
  | { readonly type: 'notify'; readonly tenantId: string; readonly envelopeId: string }
  | { readonly type: 'aws-calls'; readonly id: number }
  | { readonly type: 'stop' };
type FromWorker = { readonly type: 'ready' } | { readonly type: 'aws-calls'; readonly id: number; readonly calls: Record<string, number> };

/** Starts the worker thread for `config` (the bootstrapped one: its queue URLs included). */
export const startLocalWorker = (config: Config, onError: (e: Error) => void): LocalWorker => {
  // The server runs under tsx; the entry makes sure the thread can load this module (Node 20 does not pass `--import` on).
  const worker = new Worker(new URL('./worker-thread-entry.mjs', import.meta.url), { workerData: { config, entry: import.meta.url } });
  const waiting = new Map<number, (calls: Record<string, number>) => void>();
  let nextId = 0;
  let markReady: () => void = () => {};
  let failReady: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'ready') markReady();
    else if (m.type === 'aws-calls') {
      waiting.get(m.id)?.(m.calls);
      waiting.delete(m.id);
    }
  });
  worker.on('error', (e) => {
    failReady(e);
    onError(e);
  });
  const send = (m: ToWorker) => worker.postMessage(m);
  return {
    signal: { notify: (tenantId, envelopeId) => send({ type: 'notify', tenantId, envelopeId }) },
    ready,
    awsCalls: () =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        send({ type: 'aws-calls', id });
      }),
    async stop() {
      send({ type: 'stop' });
      await exited;
    },
  };
};

/** Inside the thread: the same composition root as the API, with the job poller instead of the HTTP server. */
const runWorker = async (port: NonNullable<typeof parentPort>, config: Config) => {
  const logger = createLogger('kyso-worker');
  const clients = config.faults
    ? createAwsClients(config, (fault) => logger.info('fault injected', { ...fault }))
    : createAwsClients(config);
  const signal = inProcessOutboxSignal();
  const deps = composeAppDeps(config, { clients, outboxSignal: signal, logger });
  const poller = startJobPoller({
    sqs: clients.sqs,
    queueUrls: config.queueUrls,
    deps,
    logger,
    outbox: { signal },
    ...(config.mailEventsQueueUrl ? { mailEventsQueueUrl: config.mailEventsQueueUrl } : {}),
  });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'notify') signal.notify(m.tenantId, m.envelopeId);
    else if (m.type === 'aws-calls') port.postMessage({ type: 'aws-calls', id: m.id, calls: awsCallTotals() } satisfies FromWorker);
    else if (m.type === 'stop') {
      // process.exit in a worker thread ends the thread only (its keep-alive sockets would hold it open).
      void poller.stop().finally(() => process.exit(0));
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
};

if (parentPort && (workerData as { config?: Config } | undefined)?.config) {
  const port = parentPort;
  // A failed start is the thread's uncaught error: the server sees it as the worker's 'error' event.
  runWorker(port, (workerData as { config: Config }).config).catch((e) =>
    process.nextTick(() => {
      throw e;
    }),
  );
}
