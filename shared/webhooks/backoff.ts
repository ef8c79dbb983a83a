/**
 * Retry schedule of webhook deliveries: the delay after failed attempt n (1-based) is
 * base · 2^(n-1), capped at base · 480, with ±10 % jitter so endpoints that failed together
 * are not retried together. With the defaults (base 30 s, 15 attempts) the delays are
 * 30 s, 1, 2, 4, 8, 16, 32, 64 min, 2.1 h, then 4 h five times: the last attempt comes
 * about 24 h after the first. SQS holds a message back at most 900 s, so longer delays
 * are chained: the job carries its due time and is re-enqueued until it is due.
 */
export const MAX_DELAY_FACTOR = 480;

export const retryDelayMs = (attempt: number, baseMs: number, random: () => number = Math.random): number => {
  const raw = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), baseMs * MAX_DELAY_FACTOR);
  return Math.round(raw * (0.9 + 0.2 * random()));
};

/** The nominal schedule (no jitter): delays after attempts 1 … maxAttempts-1. */
export const retrySchedule = (baseMs: number, maxAttempts: number): number[] =>
  Array.from({ length: Math.max(0, maxAttempts - 1) }, (_, i) => retryDelayMs(i + 1, baseMs, () => 0.5));
