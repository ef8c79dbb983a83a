import type { OutboxSignal } from '../../shared/envelope/deps.js';

/** On AWS the table's stream wakes the worker (functions/worker/outbox-stream.ts): nothing to do in the request. */
export const noOutboxSignal: OutboxSignal = { notify: () => undefined };

/**
 * In one process (`npm start`): commits tell the local worker which envelopes owe something,
 * so it starts at once instead of on its next pass.
 */
export interface InProcessOutboxSignal extends OutboxSignal {
  /** The envelopes notified since the last call, waiting up to `timeoutMs` for one if there are none. */
  take(timeoutMs: number, abort?: AbortSignal): Promise<{ tenantId: string; envelopeId: string }[]>;
}

export const inProcessOutboxSignal = (): InProcessOutboxSignal => {
  const pending = new Map<string, { tenantId: string; envelopeId: string }>();
  let wake: (() => void) | undefined;
  return {
    notify(tenantId, envelopeId) {
      pending.set(`${tenantId}\n${envelopeId}`, { tenantId, envelopeId });
      wake?.();
    },
    async take(timeoutMs, abort) {
      if (pending.size === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, timeoutMs);
          function done() {
            clearTimeout(timer);
            wake = undefined;
            abort?.removeEventListener('abort', done);
            resolve();
          }
          wake = done;
          abort?.addEventListener('abort', done);
        });
      }
      const out = [...pending.values()];
      pending.clear();
      return out;
    },
  };
};
