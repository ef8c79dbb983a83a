import type { WebhookEventType } from './events.js';

/** A tenant's registered endpoint. The secret is kept (HMAC needs it) but only shown once, at creation. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly secret: string;
  readonly description?: string;
  readonly createdAt: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event to one endpoint, with its retry state. `failed` = the dead-letter list (replayable). */
export interface WebhookDelivery {
  readonly id: string;
  readonly tenantId: string;
  readonly endpointId: string;
  readonly url: string;
  readonly eventId: string;
  readonly eventType: WebhookEventType;
  /** The exact JSON body sent on every attempt (signed anew each time with a fresh timestamp). */
  readonly payload: string;
  readonly status: DeliveryStatus;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly createdAt: string;
  readonly nextAttemptAt?: string;
  readonly lastAttemptAt?: string;
  readonly lastStatusCode?: number;
  readonly lastError?: string;
}

export interface WebhookRepository {
  createEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  getEndpoint(tenantId: string, endpointId: string): Promise<WebhookEndpoint | undefined>;
  listEndpoints(tenantId: string): Promise<WebhookEndpoint[]>;
  /** False if it did not exist. */
  deleteEndpoint(tenantId: string, endpointId: string): Promise<boolean>;

  createDelivery(delivery: WebhookDelivery): Promise<void>;
  getDelivery(tenantId: string, deliveryId: string): Promise<WebhookDelivery | undefined>;
  /**
   * Writes `next` only if the stored delivery still has `expected` attempts and status;
   * returns false if another worker (or a replay) changed it first.
   */
  updateDelivery(next: WebhookDelivery, expected: { attempts: number; status: DeliveryStatus }): Promise<boolean>;
  /** Newest first. */
  listDeliveries(
    tenantId: string,
    options: { status?: DeliveryStatus; limit: number; cursor?: string },
  ): Promise<{ items: WebhookDelivery[]; cursor?: string }>;
}
