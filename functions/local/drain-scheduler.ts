/**
 * Which envelopes the local outbox worker drains, and when (functions/local/job-poller.ts): one
 * drain at a time per envelope (its effects are ordered), a wake during a drain drains it once
 * more after, and at most `max` envelopes at once — as the worker Lambda's concurrency caps them
 * on AWS. A bulk send wakes hundreds of envelopes together; the local endpoint applies DynamoDB
 * calls one at a time, so hundreds of drains at once only make each call wait longer (and time
 * out). Envelopes over the cap wait, in wake order.
 */
export interface DrainScheduler {
  /** A commit of this envelope owes effects: drain it (again after the drain under way, if any). */
  wake(tenantId: string, envelopeId: string): void;
  /**
   * The periodic pass found this envelope's items due: drain it unless a drain is under way or
   * waiting (that drain reads its items afresh; what it leaves, the next pass finds).
   */
  offer(tenantId: string, envelopeId: string): void;
  /** Resolves when the drains running now have ended. */
  settled(): Promise<unknown>;
  /** Envelopes being drained now. */
  readonly active: number;
  /** Envelopes woken and waiting for a place. */
  readonly waiting: number;
}

export const drainScheduler = (
  drain: (tenantId: string, envelopeId: string) => Promise<unknown>,
  options: { readonly max: number; readonly stopped: () => boolean },
): DrainScheduler => {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const waiting = new Map<string, { tenantId: string; envelopeId: string }>();
  const start = (key: string, tenantId: string, envelopeId: string): void => {
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
      again.delete(key);
      const next = waiting.entries().next();
      if (!next.done && !options.stopped()) start(next.value[0], next.value[1].tenantId, next.value[1].envelopeId);
    });
    running.set(key, run);
  };
  return {
    wake(tenantId, envelopeId) {
      const key = `${tenantId}\n${envelopeId}`;
      if (running.has(key)) again.add(key);
      else if (!waiting.has(key)) start(key, tenantId, envelopeId);
    },
    offer(tenantId, envelopeId) {
      const key = `${tenantId}\n${envelopeId}`;
      if (!running.has(key) && !waiting.has(key)) start(key, tenantId, envelopeId);
    },
    settled: () => Promise.allSettled([...running.values()]),
    get active() {
      return running.size;
    },
    get waiting() {
      return waiting.size;
    },
  };
};
