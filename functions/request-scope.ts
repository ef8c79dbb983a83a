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
}

const storage = new AsyncLocalStorage<RequestScope>();

export const runInRequestScope = <T>(requestId: string, fn: () => T): T =>
  storage.run({ requestId, counts: { signatures: 0, kmsCalls: 0 } }, fn);

export const currentRequestScope = (): RequestScope | undefined => storage.getStore();

/** Adds to the current request's counter; outside a request (a job, a sweep) it does nothing. */
export const countInRequest = (name: RequestCount, n = 1): void => {
  const scope = storage.getStore();
  if (scope) scope.counts[name] += n;
};
