import { describe, expect, it } from 'vitest';
import { MAX_DELAY_FACTOR, retryDelayMs, retrySchedule } from '../../../shared/webhooks/backoff.js';

const HOUR = 3600_000;

describe('webhook retry schedule', () => {
  it('doubles from the base and caps at base × 480 (4 h with the 30 s default)', () => {
    expect(retrySchedule(30_000, 15).map((ms) => ms / 1000)).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 14400, 14400, 14400, 14400, 14400,
    ]);
  });

  it('spreads the default 15 attempts over about a day, never more than 15', () => {
    const schedule = retrySchedule(30_000, 15);
    const total = schedule.reduce((a, b) => a + b, 0);
    expect(schedule).toHaveLength(14); // delays between 15 attempts
    expect(total).toBeGreaterThan(23 * HOUR);
    expect(total).toBeLessThan(25 * HOUR);
  });

  it.each([1, 5, 10, 14])('jitters attempt %i by at most ±10 %%', (attempt) => {
    const nominal = retryDelayMs(attempt, 30_000, () => 0.5);
    expect(retryDelayMs(attempt, 30_000, () => 0)).toBe(Math.round(nominal * 0.9));
    expect(retryDelayMs(attempt, 30_000, () => 1)).toBe(Math.round(nominal * 1.1));
    for (let i = 0; i < 50; i++) {
      const d = retryDelayMs(attempt, 30_000);
      expect(d).toBeGreaterThanOrEqual(nominal * 0.9 - 1);
      expect(d).toBeLessThanOrEqual(nominal * 1.1 + 1);
    }
  });

  it('scales with the configured base (the tests run it in milliseconds)', () => {
    expect(retrySchedule(200, 4)).toEqual([200, 400, 800]);
    expect(retryDelayMs(50, 200, () => 0.5)).toBe(200 * MAX_DELAY_FACTOR);
  });
});
