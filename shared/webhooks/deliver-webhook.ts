import type { Clock } from '../envelope/ports.js';
import type { JobQueue } from '../jobs/ports.js';
import { retryDelayMs } from './backoff.js';
import type { WebhookDelivery, WebhookRepository } from './ports.js';
import type { DeliveryJob } from './publish-event.js';
import { SIGNATURE_HEADER, webhookSignatureHeader } from './signature.js';

export interface DeliverWebhookDeps {
  readonly webhooks: WebhookRepository;
  readonly jobs: JobQueue;
  readonly clock: Clock;
  readonly backoffBaseMs: number;
  readonly maxAttempts: number;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly logger: { info(m: string, d?: Record<string, unknown>): void; warn(m: string, d?: Record<string, unknown>): void };
}

/** SQS can postpone a message by at most 900 s: longer waits take several hops. */
const MAX_QUEUE_DELAY_SECONDS = 900;
/** A job arriving this early counts as due (SQS delays are whole seconds). */
const DUE_TOLERANCE_MS = 1000;

const enqueueAt = async (deps: DeliverWebhookDeps, job: DeliveryJob, dueAt: string | undefined) => {
  const waitMs = dueAt ? Date.parse(dueAt) - deps.clock.now().getTime() : 0;
  const delaySeconds = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil(waitMs / 1000)));
  await deps.jobs.enqueue('webhooks', { ...job }, { delaySeconds });
};

/**
 * One attempt of one delivery (the 'webhooks' job). POSTs the stored payload with a fresh
 * signature; records the outcome with a conditional write on the attempt count (duplicate
 * SQS messages make at most one record); then, if it failed and attempts remain, enqueues the
 * next attempt after the backoff delay, or moves the delivery to the dead-letter list
 * (status failed). The record is written before the next job is enqueued; if that enqueue
 * fails the job throws, SQS redelivers it, and the redelivery enqueues the follow-up.
 * Receivers may see a delivery twice (at-least-once): the Kyso-Delivery id lets them dedupe.
 */
export const deliverWebhook = async (deps: DeliverWebhookDeps, job: DeliveryJob): Promise<void> => {
  const delivery = await deps.webhooks.getDelivery(job.tenantId, job.deliveryId);
  if (delivery?.status !== 'pending') return;
  if (job.attempt === delivery.attempts) {
    // This attempt is recorded: make sure its follow-up exists (a duplicate one is harmless).
    await enqueueAt(deps, { ...job, attempt: job.attempt + 1 }, delivery.nextAttemptAt);
    return;
  }
  if (job.attempt !== delivery.attempts + 1) return; // stale duplicate
  const now = deps.clock.now();
  if (delivery.nextAttemptAt && Date.parse(delivery.nextAttemptAt) - now.getTime() > DUE_TOLERANCE_MS) {
    await enqueueAt(deps, job, delivery.nextAttemptAt); // another hop of a long delay
    return;
  }
  const endpoint = await deps.webhooks.getEndpoint(job.tenantId, delivery.endpointId);
  const outcome = endpoint
    ? await post(deps, delivery, endpoint.secret)
    : { ok: false, error: 'The webhook endpoint was deleted.', final: true };
  const attempts = job.attempt;
  const done = outcome.ok || outcome.final || attempts >= deps.maxAttempts;
  const next: WebhookDelivery = {
    ...delivery,
    attempts,
    status: outcome.ok ? 'succeeded' : done ? 'failed' : 'pending',
    lastAttemptAt: now.toISOString(),
    ...(outcome.statusCode !== undefined ? { lastStatusCode: outcome.statusCode } : {}),
    ...(outcome.error ? { lastError: outcome.error } : {}),
  };
  const { nextAttemptAt: _, ...withoutNext } = next;
  const nextAttemptAt = done ? undefined : new Date(now.getTime() + retryDelayMs(attempts, deps.backoffBaseMs)).toISOString();
  const record: WebhookDelivery = nextAttemptAt ? { ...withoutNext, nextAttemptAt } : withoutNext;
  if (!(await deps.webhooks.updateDelivery(record, { attempts: delivery.attempts, status: 'pending' }))) return;
  const ids = { tenantId: delivery.tenantId, deliveryId: delivery.id, attempt: attempts };
  if (outcome.ok) {
    deps.logger.info('webhook delivered', ids);
    return;
  }
  deps.logger.warn(done ? 'webhook delivery failed for good' : 'webhook delivery failed, will retry', {
    ...ids,
    statusCode: outcome.statusCode,
    error: outcome.error,
  });
  if (!done) await enqueueAt(deps, { ...job, attempt: attempts + 1 }, nextAttemptAt);
};

const post = async (
  deps: DeliverWebhookDeps,
  delivery: WebhookDelivery,
  secret: string,
): Promise<{ ok: boolean; statusCode?: number; error?: string; final?: boolean }> => {
  const doFetch = deps.fetch ?? fetch;
  try {
    const res = await doFetch(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Kyso-Webhooks/1',
        [SIGNATURE_HEADER]: webhookSignatureHeader(secret, delivery.payload, deps.clock.now()),
        'Kyso-Delivery': delivery.id,
        'Kyso-Event': delivery.eventType,
      },
      body: delivery.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
    });
    await res.body?.cancel().catch(() => {});
    return res.status >= 200 && res.status < 300
      ? { ok: true, statusCode: res.status }
      : { ok: false, statusCode: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { ok: false, error: (err.cause?.code ?? err.name).slice(0, 200) };
  }
};
