import { createRoute, z } from '@hono/zod-openapi';
import { classifyAwsError } from '../../aws/aws-errors.js';
import type { DependencyChecks } from '../../aws/health-checks.js';
import { createRouter } from '../openapi.js';

/** A dependency that has not answered by then counts as down: the probe itself must stay cheap. */
export const CHECK_TIMEOUT_MS = 3000;

const CheckSchema = z.object({
  status: z.enum(['ok', 'down']),
  latencyMs: z.number().int(),
  /** Why it is down: throttled, timeout, network, server, or the error's name. Never its message. */
  reason: z.string().optional(),
});
const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.record(z.string(), CheckSchema).optional(),
  })
  .openapi('Health', {
    example: { status: 'ok', checks: { dynamodb: { status: 'ok', latencyMs: 4 }, s3: { status: 'ok', latencyMs: 6 } } },
  });

const runCheck = async (check: DependencyChecks[string]) => {
  const started = performance.now();
  const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
  try {
    await check(signal);
    return { status: 'ok' as const, latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    const reason = signal.aborted ? 'timeout' : (classifyAwsError(e) ?? (e as Error).name);
    return { status: 'down' as const, latencyMs: Math.round(performance.now() - started), reason };
  }
};

/**
 * `GET /health`: liveness, touches nothing (load balancers call it often). `GET /health?deep=1`:
 * each dependency probed in parallel (functions/aws/health-checks.ts) with its status and
 * latency; 503 if any is down, so a deep probe can gate traffic.
 */
export const healthRoutes = (checks: DependencyChecks) => {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Operations'],
      summary: 'Liveness; with deep=1, each dependency (DynamoDB, S3, KMS, SQS, SES, SNS, each secret read) with status and latency',
      request: { query: z.object({ deep: z.enum(['1', 'true']).optional() }) },
      responses: {
        200: { description: 'Up (and, with deep=1, every dependency answered)', content: { 'application/json': { schema: HealthSchema } } },
        503: { description: 'deep=1: at least one dependency is down', content: { 'application/json': { schema: HealthSchema } } },
      },
    }),
    async (c) => {
      if (!c.req.valid('query').deep) return c.json({ status: 'ok' as const }, 200);
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((n) => runCheck(checks[n] as DependencyChecks[string])));
      const byName = Object.fromEntries(names.map((n, i) => [n, results[i] as (typeof results)[number]]));
      const down = results.some((r) => r.status === 'down');
      c.header('cache-control', 'no-store');
      return down ? c.json({ status: 'degraded' as const, checks: byName }, 503) : c.json({ status: 'ok' as const, checks: byName }, 200);
    },
  );
  return app;
};
