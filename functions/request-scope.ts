import { AsyncLocalStorage } from 'node:async_hooks';

/** What is counted per request and published as its metrics (functions/metrics.ts). */
export type RequestCount = 'signatures' | 'kmsCalls';

/**
 * The request being handled: its id (the correlation id every log line of it carries) and its
 * counters. Held in AsyncLocalStorage, so concurrent requests of `npm start` never mix, and code
 * far from the route (an SDK middleware, the logger) finds it without being handed it.
 */
export interface RequestScope {
  readonly requestId: string;
  readonly counts: Record<RequestCount, number>;
  /** AWS calls made while serving it, by "Service.Operation" (the SDK middleware in functions/aws/clients.ts). */
  readonly awsCalls: Map<string, number>;
  /** Reads remembered for the rest of the request (memoInRequest). */
  readonly memo: Map<string, Promise<unknown>>;
}

const storage = new AsyncLocalStorage<RequestScope>();

export const runInRequestScope = <T>(requestId: string, fn: () => T): T =>
  storage.run({ requestId, counts: { signatures: 0, kmsCalls: 0 }, awsCalls: new Map(), memo: new Map() }, fn);

export const currentRequestScope = (): RequestScope | undefined => storage.getStore();

/** Adds to the current request's counter; outside a request (a job, a sweep) it does nothing. */
export const countInRequest = (name: RequestCount, n = 1): void => {
  const scope = storage.getStore();
  if (scope) scope.counts[name] += n;
};

/** Every AWS call of this process by "Service.Operation", in requests or not (jobs, the outbox worker): GET /dev/aws-calls. */
const processAwsCalls = new Map<string, number>();

/** Counts one AWS call (before the SDK's retries) for the current request, if any, and for the process. */
export const countAwsCall = (call: string): void => {
  processAwsCalls.set(call, (processAwsCalls.get(call) ?? 0) + 1);
  const scope = storage.getStore();
  if (scope) scope.awsCalls.set(call, (scope.awsCalls.get(call) ?? 0) + 1);
};

/** This process's AWS calls so far, by "Service.Operation" (a copy). */
export const awsCallTotals = (): Record<string, number> => Object.fromEntries(processAwsCalls);

/** "DynamoDB.GetItem=2, S3.PutObject=1": a request's calls for a response header (local mode). */
export const formatAwsCalls = (calls: ReadonlyMap<string, number>): string => [...calls].map(([k, n]) => `${k}=${n}`).join(', ');

/**
 * A read done once per request: the first call loads, later calls in the same request get the same
 * answer (a failed load is forgotten, so a later call tries again). Outside a request it always loads.
 */
export const memoInRequest = <T>(key: string, load: () => Promise<T>): Promise<T> => {
  const scope = storage.getStore();
  if (!scope) return load();
  const known = scope.memo.get(key) as Promise<T> | undefined;
  if (known) return known;
  const loading = load();
  scope.memo.set(key, loading);
  loading.catch(() => scope.memo.delete(key));
  return loading;
};

/** Forgets what memoInRequest remembered under `key` in this request (after a write of it). */
export const forgetInRequest = (key: string): void => {
  storage.getStore()?.memo.delete(key);
};
