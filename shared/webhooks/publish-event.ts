import type { Clock } from '../envelope/ports.js';
import type { JobQueue } from '../jobs/ports.js';
import { randomId, sha256Hex } from '../util/bytes.js';
import type { EventPublisher, WebhookEvent, WebhookEventType } from './events.js';
import type { WebhookDelivery, WebhookEndpoint, WebhookRepository } from './ports.js';

/** The job a 'webhooks' queue message carries: make attempt number `attempt` of one delivery. */
export interface DeliveryJob {
  readonly tenantId: string;
  readonly deliveryId: string;
  readonly attempt: number;
}

interface PublisherDeps {
  readonly webhooks: WebhookRepository;
  readonly jobs: JobQueue;
  readonly clock: Clock;
  readonly logger?: { error(message: string, data?: Record<string, unknown>): void };
}

/** Time-ordered ids, so a tenant's deliveries list newest first. */
export const newDeliveryId = (now: Date): string => `dlv_${now.getTime().toString(36).padStart(10, '0')}${randomId(6)}`;

/** A delivery of `event` to one endpoint, not attempted yet (due at the event's time). */
const pendingDelivery = (
  id: string,
  tenantId: string,
  endpoint: Pick<WebhookEndpoint, 'id' | 'url'>,
  event: WebhookEvent,
  payload: string,
): WebhookDelivery => ({
  id,
  tenantId,
  endpointId: endpoint.id,
  url: endpoint.url,
  eventId: event.id,
  eventType: event.type,
  payload,
  status: 'pending',
  attempts: 0,
  createdAt: event.createdAt,
  nextAttemptAt: event.createdAt,
});

/**
 * Records an owed webhook event (an outbox item, shared/envelope/effects.ts) exactly once:
 * the event id is the item's id and each delivery id is derived from it and the endpoint, so
 * a second run finds the delivery already there (conditional put) and only re-enqueues its
 * first attempt if it never started. Throws on failure: the item stays owed.
 */
export const publishOwedEvent = async (
  deps: PublisherDeps,
  tenantId: string,
  type: WebhookEventType,
  data: Readonly<Record<string, unknown>>,
  owed: { readonly id: string; readonly createdAt: string },
): Promise<number> => {
  const endpoints = (await deps.webhooks.listEndpoints(tenantId)).filter((e) => e.events.includes(type));
  const at = new Date(owed.createdAt);
  const event: WebhookEvent = { id: `evt_${sha256Hex(owed.id).slice(0, 16)}`, type, createdAt: at.toISOString(), data };
  const payload = JSON.stringify(event);
  let created = 0;
  for (const endpoint of endpoints) {
    const id = `dlv_${at.getTime().toString(36).padStart(10, '0')}${sha256Hex(`${owed.id}\n${endpoint.id}`).slice(0, 8)}`;
    const delivery = pendingDelivery(id, tenantId, endpoint, event, payload);
    const isNew = await deps.webhooks.createDelivery(delivery).then(
      () => true,
      async (e) => {
        const existing = await deps.webhooks.getDelivery(tenantId, id);
        if (!existing) throw e;
        // Recorded by an earlier run that died before enqueueing: start it, unless it started.
        return existing.status === 'pending' && existing.attempts === 0;
      },
    );
    if (!isNew) continue;
    created++;
    const job: DeliveryJob = { tenantId, deliveryId: id, attempt: 1 };
    await deps.jobs.enqueue('webhooks', { ...job });
  }
  return created;
};

/**
 * The EventPublisher behind `EnvelopeDeps.events`: one delivery record (DynamoDB, status
 * pending) per endpoint subscribed to the event, then one 'webhooks' job each. The record is
 * written first, so the delivery is visible (and replayable) even if the enqueue fails.
 */
export const webhookPublisher = (deps: PublisherDeps): EventPublisher => ({
  async publish(tenantId, type, data) {
    try {
      const endpoints = (await deps.webhooks.listEndpoints(tenantId)).filter((e) => e.events.includes(type));
      if (endpoints.length === 0) return;
      const now = deps.clock.now();
      const event: WebhookEvent = { id: `evt_${randomId(12)}`, type, createdAt: now.toISOString(), data };
      const payload = JSON.stringify(event);
      for (const endpoint of endpoints) {
        const delivery = pendingDelivery(newDeliveryId(now), tenantId, endpoint, event, payload);
        await deps.webhooks.createDelivery(delivery);
        const job: DeliveryJob = { tenantId, deliveryId: delivery.id, attempt: 1 };
        await deps.jobs.enqueue('webhooks', { ...job });
      }
    } catch (e) {
      // The envelope change is committed; failing the caller now would not undo it.
      deps.logger?.error('webhook event not published', { tenantId, type, error: (e as Error).name, message: (e as Error).message });
    }
  },
});
