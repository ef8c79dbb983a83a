import type { CloudWatchLogsEvent } from 'aws-lambda';
import { compress } from 'hono/compress';
import { runScheduledTask, SCHEDULED_TASKS, type ScheduledTaskName } from '../../shared/envelope/scheduled-tasks.js';
import { AppError } from '../../shared/errors.js';
import { randomId } from '../../shared/util/bytes.js';
import { pickLang } from '../../web/signer/i18n.js';
import { applySesEvents } from '../messaging/apply-ses-events.js';
import { applySnsDeliveryLogs } from '../messaging/sns-delivery-logs.js';
import { awsCallTotals, currentRequestScope, formatAwsCalls, runInRequestScope } from '../request-scope.js';
import { runRepairSweep } from '../worker/repair.js';
import { tenantAuth } from './auth.js';
import { clientIp } from './client-ip.js';
import type { AppDeps } from './context.js';
import { ERROR_PAGE_HEADERS, errorPage, isHtmlRoute } from './error-page.js';
import { errorResponse } from './errors.js';
import { idempotency } from './idempotency.js';
import { jsonBody } from './json-body.js';
import { createRouter, openApiDocument } from './openapi.js';
import { DEFAULT_RATE_LIMITS, ipRateLimit, tenantRateLimit } from './rate-limit.js';
import { requestLimits } from './request-limits.js';
import { adminRoutes } from './routes/admin.js';
import { bulkRoutes } from './routes/bulk.js';
import { consoleRoutes } from './routes/console.js';
import { dashboardRoutes } from './routes/console-dashboard.js';
import { dataSubjectRoutes } from './routes/data-subjects.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { deliveryCallbackRoutes } from './routes/delivery-callbacks.js';
import { docsRoutes } from './routes/docs.js';
import { embeddedLinkRoutes } from './routes/embedded-links.js';
import { envelopeWorkflowRoutes } from './routes/envelope-workflow.js';
import { envelopeRoutes } from './routes/envelopes.js';
import { externalSignRoutes } from './routes/external-sign.js';
import { healthRoutes } from './routes/health.js';
import { identityCallbackRoutes, signIdentityRoutes } from './routes/identity.js';
import { labourConversionRoutes, labourRegistrationRoutes, labourReportRoutes } from './routes/labour.js';
import { legalHoldRoutes } from './routes/legal-hold.js';
import { pageRoutes } from './routes/pages.js';
import { pkiRoutes } from './routes/pki.js';
import { remoteSigningRoutes } from './routes/remote-signing.js';
import { sealRoutes } from './routes/seal.js';
import { sealCertificateRoutes } from './routes/seal-certificate.js';
import { settingsRoutes } from './routes/settings.js';
import { signRoutes } from './routes/sign.js';
import { signWorkflowRoutes } from './routes/sign-workflow.js';
import { templateRoutes } from './routes/templates.js';
import { tsaRoutes } from './routes/tsa.js';
import { uploadRoutes } from './routes/uploads.js';
import { verifyRoutes } from './routes/verify.js';
import { webhookRoutes } from './routes/webhooks.js';
import { prefetchLink } from './signing-grant.js';

/**
 * The one Hono app. Served by @hono/node-server for `npm start` and by hono/aws-lambda in
 * Lambda; local mode differs only in endpoints and the /dev routes.
 */
/** CPU time of the calling thread so far (ms): only this thread, not the worker thread beside it. */
const threadCpuMs = (): number => {
  // Node 22.19+ (and 23.9+); older Node has no per-thread figure.
  const usage = process.threadCpuUsage?.();
  return usage ? (usage.user + usage.system) / 1000 : Number.NaN;
};

export const createApp = (deps: AppDeps) => {
  const app = createRouter();

  app.use('*', async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given && /^[\w.-]{1,64}$/.test(given) ? given : randomId(8);
    c.set('requestId', requestId);
    const ip = clientIp(c, deps.trustedProxies ?? 0);
    if (ip) c.set('clientIp', ip);
    const started = performance.now();
    const cpuBefore = deps.devMail ? threadCpuMs() : 0;
    // The request's scope: every log line inside carries its id; its counters become its metrics.
    await runInRequestScope(requestId, async () => {
      await next();
      const scope = currentRequestScope();
      if (scope) deps.requestMetrics?.publish(scope, c.res.status, performance.now() - started);
      // Local mode: the AWS calls this request made, by service and operation (the benchmark prints them).
      if (scope && deps.devMail) c.header('x-kyso-aws-calls', formatAwsCalls(scope.awsCalls));
      // Local mode: CPU this thread spent from the request's start to its answer (the benchmark's load-independent
      // measure; it includes whatever else the thread ran meanwhile, so it is exact only for one request at a time).
      const cpu = threadCpuMs() - cpuBefore;
      if (deps.devMail && Number.isFinite(cpu)) c.header('x-kyso-thread-cpu', cpu.toFixed(2));
    });
    c.header('x-request-id', requestId);
  });
  // Before anything reads a body (auth, Idempotency-Key hashing, parsing): the route family's size limit.
  app.use('*', requestLimits({ maxUploadBytes: deps.maxUploadBytes }));
  app.use('/assets/*', compress());
  app.use('/app/assets/*', compress());

  app.route('/health', healthRoutes(deps.dependencyChecks));
  // Rate limits: per client IP on the routes anyone can call, per tenant on the tenant API (after auth, below).
  if (deps.rateCounter) {
    const limits = deps.rateLimits ?? DEFAULT_RATE_LIMITS;
    const rule = { counter: deps.rateCounter, clock: deps.clock, rule: limits.perIp, scope: 'public' };
    const perIp = ipRateLimit(rule);
    // Hono's '/x/*' also matches '/x': one pattern per family, so a request counts once.
    for (const p of ['/v1/verify/*', '/verify', '/tsa/*', '/s/*', '/embed/*', '/app/api/login', '/app/api/login/*']) app.use(p, perIp);
    // The signer API: the same count, with the link's grant and envelope read meanwhile.
    app.use('/v1/sign/*', ipRateLimit({ ...rule, alongside: (c) => prefetchLink(deps, c.req.path) }));
  }
  // Generated from the route definitions (functions/api/openapi.ts); built once, on first request.
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (c) => {
    document ??= openApiDocument(app, deps.publicUrl);
    return c.json(document);
  });

  app.use('/docs/assets/*', compress());
  app.route('/docs', docsRoutes());

  app.use('/v1/envelopes/*', tenantAuth(deps.tenants));
  app.use('/v1/envelopes', tenantAuth(deps.tenants));
  app.use('/v1/seal', tenantAuth(deps.tenants));
  for (const p of ['/v1/templates', '/v1/templates/*', '/v1/bulk', '/v1/bulk/*']) app.use(p, tenantAuth(deps.tenants));
  app.use('/v1/webhooks/*', tenantAuth(deps.tenants));
  app.use('/v1/webhooks', tenantAuth(deps.tenants));
  app.use('/v1/settings', tenantAuth(deps.tenants));
  for (const p of ['/v1/remote-signing', '/v1/remote-signing/*']) app.use(p, tenantAuth(deps.tenants));
  app.use('/v1/uploads', tenantAuth(deps.tenants));
  for (const p of ['/v1/labour-contracts/*', '/v1/reports/*', '/v1/dashboard', '/v1/dashboard/*']) app.use(p, tenantAuth(deps.tenants));
  for (const p of ['/v1/data-subjects', '/v1/data-subjects/*']) app.use(p, tenantAuth(deps.tenants));
  if (deps.rateCounter) {
    app.use(
      '/v1/*',
      tenantRateLimit({ counter: deps.rateCounter, clock: deps.clock, rule: (deps.rateLimits ?? DEFAULT_RATE_LIMITS).perTenant }),
    );
  }
  // Every POST under /v1 (tenant and signer API) honours Idempotency-Key; mounted after auth so keys are per tenant.
  app.use('/v1/*', idempotency({ store: deps.idempotency, clock: deps.clock, logger: deps.logger }));
  app.route('/v1/envelopes', envelopeRoutes(deps));
  app.route('/v1/envelopes', envelopeWorkflowRoutes(deps));
  app.route('/v1/envelopes', deliveryRoutes(deps));
  app.route('/v1/envelopes', labourRegistrationRoutes(deps));
  app.route('/v1/labour-contracts', labourConversionRoutes(deps));
  app.route('/v1/reports', labourReportRoutes(deps));
  app.route('/v1/dashboard', dashboardRoutes(deps));
  app.route('/v1/envelopes', embeddedLinkRoutes(deps));
  app.route('/v1/envelopes', legalHoldRoutes(deps));
  app.route('/v1/data-subjects', dataSubjectRoutes(deps));
  app.route('/v1/seal', sealRoutes(deps));
  app.route('/v1/seal', sealCertificateRoutes(deps));
  app.route('/v1/remote-signing', remoteSigningRoutes(deps));
  app.route('/v1/templates', templateRoutes(deps));
  app.route('/v1/bulk', bulkRoutes(deps));
  app.route('/v1/webhooks', webhookRoutes(deps));
  app.route('/v1/settings', settingsRoutes(deps));
  app.route('/v1/uploads', uploadRoutes(deps));
  // Before signRoutes: /v1/sign/:token/prepare etc. must not be taken for other routes.
  app.route('/v1/sign', externalSignRoutes(deps));
  app.route('/v1/sign', signRoutes(deps));
  app.route('/v1/sign', signWorkflowRoutes(deps));
  app.route('/v1/sign', signIdentityRoutes(deps));
  app.route('/identity', identityCallbackRoutes(deps));
  app.route('/callbacks', deliveryCallbackRoutes(deps));
  app.route('/pki', pkiRoutes(deps));
  app.route('/tsa', tsaRoutes(deps));
  app.route('/', verifyRoutes(deps));
  app.route('/admin', adminRoutes(deps));
  app.route('/app', consoleRoutes(deps));
  app.get('/app/', (c) => c.redirect('/app'));
  app.route('/', pageRoutes(deps));

  if (deps.devMail) {
    const outbox = deps.devMail;
    // ?to=<address>: only the mail sent to it.
    app.get('/dev/mail', async (c) => c.json({ messages: await outbox.list(c.req.query('to')) }));
    // moto does not publish SES events: a test posts the SNS event the configuration set's topic
    // would hand the Lambda (functions/messaging/ses-events.ts), and the same code applies it.
    app.post('/dev/ses-events', async (c) => c.json(await applySesEvents(deps, await jsonBody(c.req.raw))));
    const phones = deps.devPhone;
    if (phones) {
      app.get('/dev/sms', async (c) => c.json({ messages: await phones.list('sms') }));
      app.get('/dev/zalo', async (c) => c.json({ messages: await phones.list('zalo') }));
      // SNS writes SMS delivery status to CloudWatch Logs, which moto does not: a test posts the
      // subscription event CloudWatch would hand the Lambda (functions/messaging/sns-delivery-status.ts).
      app.post('/dev/sns-delivery-status', async (c) =>
        c.json(await applySnsDeliveryLogs(deps, (await jsonBody(c.req.raw)) as CloudWatchLogsEvent)),
      );
    }
    // What state changes still owe (the outbox), so tests can wait for emails and webhooks that now leave the request path.
    app.get('/dev/outbox', async (c) => {
      // ?envelope=<id> narrows it to one envelope's items: other tests' failing effects (in backoff) are not this test's.
      const envelope = c.req.query('envelope');
      const all = await deps.outbox.olderThan(new Date(Date.now() + 60_000), 500);
      const items = envelope ? all.filter((i) => i.envelopeId === envelope) : all;
      return c.json({
        owed: items.length,
        items: items.map((i) => ({
          id: i.id,
          envelopeId: i.envelopeId,
          kind: i.effect.kind,
          attempts: i.attempts,
          createdAt: i.createdAt,
          lastError: i.lastError,
        })),
      });
    });
    // Every AWS call of this process so far by "Service.Operation", jobs and workers included (the bulk benchmark's calls per row).
    app.get('/dev/aws-calls', async (c) => c.json({ calls: deps.devAwsCalls ? await deps.devAwsCalls() : awsCallTotals() }));
    const labourPlatformUrl = deps.devLabourPlatformUrl;
    // What the local labour platform (provisional protocol) received; its URL for tests that switch its failure modes.
    if (labourPlatformUrl) {
      app.get('/dev/labour-platform', async (c) => {
        const res = await fetch(`${labourPlatformUrl}/__received`, { signal: AbortSignal.timeout(5000) });
        return c.json({ url: labourPlatformUrl, ...((await res.json()) as object) });
      });
    }
    // The scheduler's sweeps on demand (local mode only); ?now=<ISO> runs them as if at that instant.
    app.post('/dev/scheduler/:task', async (c) => {
      const at = c.req.query('now');
      if (at !== undefined && Number.isNaN(Date.parse(at))) throw new AppError('validation_failed', 'now must be an ISO instant.');
      // The repair sweep of the outbox (functions/worker/repair.ts); ?now= e.g. after a dead worker's claims ran out.
      if (c.req.param('task') === 'outbox') return c.json(await runRepairSweep(deps, at ? new Date(at) : undefined));
      const task = c.req.param('task') as ScheduledTaskName;
      if (!SCHEDULED_TASKS.includes(task)) throw new AppError('not_found', `Unknown task; one of ${SCHEDULED_TASKS.join(', ')}.`);
      return c.json(await runScheduledTask(at ? { ...deps, clock: { now: () => new Date(at) } } : deps, task));
    });
  }

  app.notFound((c) =>
    isHtmlRoute(c.req.method, c.req.path, c.req.header('accept'))
      ? c.body(errorPage(404, pickLang(c.req.query('lang'), c.req.header('accept-language')), c.get('requestId')), 404, ERROR_PAGE_HEADERS)
      : c.json({ error: { code: 'not_found', message: 'Not found.' } }, 404),
  );
  app.onError((err, c) => errorResponse(err, c, deps.logger));
  return app;
};
