/**
 * The events a tenant can subscribe a webhook endpoint to. Emitted by the envelope use cases
 * through `EnvelopeDeps.events` (an `EventPublisher`); the webhook publisher turns each into
 * one delivery per subscribed endpoint.
 */
export const WEBHOOK_EVENTS = [
  'envelope.sent',
  'recipient.viewed',
  'recipient.signed',
  'recipient.approved',
  'envelope.completed',
  'envelope.declined',
  'envelope.voided',
  'envelope.expired',
  /** A labour contract (or appendix, termination) got its identifier from the national platform: data.nationalId. */
  'labour_contract.registered',
  /** The national platform refused it: data.reason (fix, then POST /v1/envelopes/{id}/labour-registration/retry). */
  'labour_contract.rejected',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export const isWebhookEventType = (s: string): s is WebhookEventType => (WEBHOOK_EVENTS as readonly string[]).includes(s);

/** What a receiver gets as the JSON body of a delivery. `id` is the same for every endpoint it goes to. */
export interface WebhookEvent {
  readonly id: string;
  readonly type: WebhookEventType;
  readonly createdAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * The port the envelope use cases emit events through. `publish` never throws: an event that
 * cannot be recorded is logged and must not fail the request that caused it (the envelope
 * change is already committed). Call it after the state change is committed, e.g.
 * `await deps.events.publish(tenantId, 'envelope.voided', { envelopeId, status: 'voided' })`. Envelope state changes do not
 * call it: they owe a `webhook` effect (shared/envelope/effects.ts), recorded with the state.
 */
export interface EventPublisher {
  publish(tenantId: string, type: WebhookEventType, data: Readonly<Record<string, unknown>>): Promise<void>;
}
