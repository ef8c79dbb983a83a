import { serve } from '@hono/node-server';
import { createUser } from '../../shared/console/create-user.js';
import { runScheduledTask, SCHEDULED_TASKS } from '../../shared/envelope/scheduled-tasks.js';
import { randomId } from '../../shared/util/bytes.js';
import { startLabourPlatformTestServer } from '../../test/support/labour-platform-test-server.js';
import { createApp } from '../api/app.js';
import { hashApiKey } from '../api/auth.js';
import { ensureAdminKeySecret } from '../aws/admin-key-secret.js';
import { bootstrapResources } from '../aws/bootstrap.js';
import { createAwsClients } from '../aws/clients.js';
import { composeAppDeps } from '../compose.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { awsCallTotals } from '../request-scope.js';
import { startMoto } from './moto.js';
import { startLocalWorker } from './worker-thread.js';

/**
 * `npm start`: the API on http://localhost:$PORT against a local AWS endpoint. Without
 * AWS_ENDPOINT_URL it starts moto_server itself (and stops it on exit).
 */
const main = async () => {
  const env = { ...process.env };
  let stopMoto: (() => void) | undefined;
  if (!env.AWS_ENDPOINT_URL) {
    const moto = await startMoto();
    env.AWS_ENDPOINT_URL = moto.endpoint;
    stopMoto = moto.stop;
  }
  env.KYSO_LOCAL ??= '1';
  // The national labour-contract platform's stand-in (provisional protocol), unless one is configured.
  let stopLabourPlatform: (() => Promise<void>) | undefined;
  if (!env.KYSO_LABOUR_PLATFORM_URL) {
    const platform = await startLabourPlatformTestServer();
    env.KYSO_LABOUR_PLATFORM_URL = platform.url;
    env.KYSO_LABOUR_PLATFORM_CLIENT_ID = platform.clientId;
    env.KYSO_LABOUR_PLATFORM_CLIENT_SECRET = platform.clientSecret;
    stopLabourPlatform = platform.stop;
  }
  env.KYSO_API_KEY ||= `kyso_dev_${randomId(18)}`;
  // The admin key lives in Secrets Manager, as on AWS, and the app reads it from there: npm start keeps
  // the stored one (or stores KYSO_ADMIN_KEY, or a new one) unless KYSO_ADMIN_KEY_SECRET_ID names a secret.
  const ownAdminSecret = !env.KYSO_ADMIN_KEY_SECRET_ID;
  const givenAdminKey = env.KYSO_ADMIN_KEY || undefined;
  env.KYSO_ADMIN_KEY_SECRET_ID ||= 'kyso/admin-key';
  delete env.KYSO_ADMIN_KEY;
  // Bootstrap and the admin secret never see injected faults (KYSO_FAULT_RATE): only the app's clients do.
  const { faults: _faults, ...unfaulted } = loadConfig(env);
  const clients = createAwsClients(unfaulted);
  const config = await bootstrapResources(clients, loadConfig(env)); // + the local queue URLs
  const adminKey = ownAdminSecret
    ? await ensureAdminKeySecret(clients.secrets, config.adminKeySecretId as string, givenAdminKey)
    : undefined;
  const logger = createLogger('kyso-api');
  const appClients = config.faults ? createAwsClients(config, (fault) => logger.info('fault injected', { ...fault })) : clients;
  // The worker Lambdas' stand-in (SQS jobs, SES events, the outbox) runs in a worker thread with its
  // own event loop, as a separate Lambda would: woken by this thread's commits.
  let worker: ReturnType<typeof startLocalWorker> | undefined;
  const outboxSignal = { notify: (tenantId: string, envelopeId: string) => worker?.signal.notify(tenantId, envelopeId) };
  const deps = composeAppDeps(config, { clients: appClients, outboxSignal, logger });
  await deps.pki(); // keys and CA certificates, created once (before the worker, which reads them)
  worker = startLocalWorker(config, (e) => {
    process.stderr.write(`the local worker thread failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
  // The dev tenant: idempotent, keyed by a fixed id so restarts keep its envelopes.
  await deps.tenants.create({ id: 'dev', name: 'Kyso Dev', createdAt: new Date().toISOString() });
  const devKey = config.devApiKey as string;
  // Listed on the console's API keys page too (fixed id: restarts overwrite it).
  await deps.console.putApiKey({
    id: 'dev-key',
    tenantId: 'dev',
    label: 'npm start',
    prefix: devKey.slice(0, 10),
    keyHash: hashApiKey(devKey),
    createdAt: new Date().toISOString(),
  });
  // The dev tenant's console admin (asked to enrol TOTP at the first sign-in); an existing one keeps its password.
  const consoleUser = { email: env.KYSO_DEV_USER || 'dev@kyso.local', password: env.KYSO_DEV_PASSWORD || randomId(12) };
  const consoleUserIsNew = await createUser(deps, { tenantId: 'dev', name: 'Kyso Dev', ...consoleUser }).then(
    () => true,
    (e) => {
      if ((e as { code?: string }).code !== 'conflict') throw e;
      return false;
    },
  );

  await worker.ready;
  const running = worker;
  // The scheduler Lambda's stand-in: the same sweeps every 5 minutes (POST /dev/scheduler/{task} runs one now).
  const sweeps = setInterval(() => {
    for (const task of SCHEDULED_TASKS) {
      runScheduledTask(deps, task).catch((e) => deps.logger.error('scheduler sweep failed', { task, error: (e as Error).name }));
    }
  }, 5 * 60_000);
  sweeps.unref();
  const server = serve(
    {
      fetch: createApp({
        ...deps,
        // Both threads' calls: the worker's jobs and effects are part of what a bulk run costs.
        devAwsCalls: async () => sumCalls(awsCallTotals(), await running.awsCalls()),
      }).fetch,
      port: config.port,
      hostname: config.host,
    },
    (info) => {
      const url = `http://localhost:${info.port}`;
      process.stdout.write(
        [
          `Kyso listening on ${url}`,
          `AWS endpoint: ${config.endpoint}`,
          `Dev API key: ${config.devApiKey}`,
          `Admin key: ${adminKey ?? `(in the secret ${config.adminKeySecretId})`}`,
          `Try: curl -H "Authorization: Bearer ${config.devApiKey}" ${url}/v1/envelopes`,
          `Emails sent: ${url}/dev/mail   API: ${url}/openapi.json`,
          `Labour platform (provisional, local): ${config.labourPlatform?.url}   received: ${url}/dev/labour-platform`,
          `Console: ${url}/app  ${consoleUser.email} / ${consoleUserIsNew ? consoleUser.password : '(existing user, password unchanged)'} (admin: TOTP enrolment at first sign-in)`,
          '',
        ].join('\n'),
      );
    },
  );
  const shutdown = async () => {
    server.close();
    clearInterval(sweeps);
    await running.stop();
    await stopLabourPlatform?.();
    stopMoto?.();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
};

const sumCalls = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => {
  const out = { ...a };
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
  return out;
};

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
