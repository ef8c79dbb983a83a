import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Clock } from '../../shared/envelope/ports.js';
import { AppError } from '../../shared/errors.js';
import type { AppEnv } from './context.js';

/** Counts hits of a key in fixed windows; `hit` is one atomic increment (DynamoDB ADD) and returns the new count. */
export interface RateCounter {
  hit(key: string, windowStart: number, windowSeconds: number): Promise<number>;
}

export interface RateRule {
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowSeconds: number;
}

/** KYSO_RATE_LIMIT_*: per client IP on the public and signer routes, per tenant on the tenant API. */
export interface RateLimits {
  readonly perIp: RateRule;
  readonly perTenant: RateRule;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  perIp: { limit: 300, windowSeconds: 60 },
  perTenant: { limit: 1200, windowSeconds: 60 },
};

const apply = async (c: Context<AppEnv>, counter: RateCounter, clock: Clock, key: string, rule: RateRule) => {
  const now = Math.floor(clock.now().getTime() / 1000);
  const windowStart = now - (now % rule.windowSeconds);
  const count = await counter.hit(key, windowStart, rule.windowSeconds);
  const reset = windowStart + rule.windowSeconds;
  c.header('X-RateLimit-Limit', String(rule.limit));
  c.header('X-RateLimit-Remaining', String(Math.max(0, rule.limit - count)));
  c.header('X-RateLimit-Reset', String(reset));
  if (count > rule.limit) {
    c.header('Retry-After', String(Math.max(1, reset - now)));
    throw new AppError('rate_limited', `Too many requests; retry after ${Math.max(1, reset - now)} s.`);
  }
};

/**
 * Per-IP limit (public routes: verify, TSA, signer links and pages, console sign-in): counted
 * before the route runs, by the client IP the app derived from the connection (client-ip.ts).
 * Requests whose IP is unknown share one bucket.
 */
export const ipRateLimit = (options: {
  counter: RateCounter;
  clock: Clock;
  rule: RateRule;
  scope: string;
  /**
   * Reads to start while the counter is written (they must change nothing): the route finds them
   * done or under way (signer links: prefetchLink in signing-grant.ts). A refused request has
   * then cost those reads beside its count, and no more.
   */
  alongside?: (c: Context<AppEnv>) => void;
}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    options.alongside?.(c);
    await apply(c, options.counter, options.clock, `ip:${options.scope}:${c.get('clientIp') ?? 'unknown'}`, options.rule);
    await next();
  });

/** Per-tenant limit on the tenant API: mounted after authentication, keyed by the tenant. */
export const tenantRateLimit = (options: { counter: RateCounter; clock: Clock; rule: RateRule }) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const tenantId = c.get('tenantId');
    if (tenantId) await apply(c, options.counter, options.clock, `tenant:${tenantId}`, options.rule);
    await next();
  });

/** In one process (unit tests). */
export const memoryRateCounter = (): RateCounter => {
  const counts = new Map<string, number>();
  return {
    hit: async (key, windowStart) => {
      const k = `${key}#${windowStart}`;
      const n = (counts.get(k) ?? 0) + 1;
      counts.set(k, n);
      return n;
    },
  };
};
