/**
 * Which envelopes the local outbox worker drains, and when (functions/local/job-poller.ts): one
 * drain at a time per envelope (its effects are ordered), a wake during a drain drains it once
 * more after, and at most `max` envelopes at once — as the worker Lambda's concurrency caps them
 * on AWS: a bulk send wakes hundreds of envelopes together, and hundreds of drains at once only
 * make every call to the local endpoint time out. Envelopes over the cap wait, in wake order.
 */
export interface DrainScheduler {
  wake(tenantId: string, envelopeId: string): void;
  /** Resolves when the drains running now have ended. */
  settled(): Promise<unknown>;
  /** Envelopes being drained now (for tests). */
  readonly active: number;
}

export const drainScheduler = (
  drain: (tenantId: string, envelopeId: string) => Promise<unknown>,
  options: { readonly max: number; readonly stopped: () => boolean },
): DrainScheduler => {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const waiting = new Map<string, { tenantId: string; envelopeId: string }>();
  const wake = (tenantId: string, envelopeId: string): void => {
    const key = `${tenantId}\n${envelopeId}`;
    if (running.has(key)) {
      again.add(key);
      return;
    }
    if (running.size >= options.max) {
      waiting.set(key, { tenantId, envelopeId });
      return;
    }
    waiting.delete(key);
    const run = (async () => {
      do {
        again.delete(key);
        await drain(tenantId, envelopeId);
      } while (again.has(key) && !options.stopped());
    })().finally(() => {
      running.delete(key);
      const next = waiting.values().next();
      if (!next.done && !options.stopped()) wake(next.value.tenantId, next.value.envelopeId);
    });
    running.set(key, run);
  };
  return {
    wake,
    settled: () => Promise.allSettled([...running.values()]),
    get active() {
      return running.size;
    },
  };
};
