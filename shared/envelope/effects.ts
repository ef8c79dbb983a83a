import type { WebhookEventType } from '../webhooks/events.js';
import type { MailMessage } from './ports.js';
import type { AuditEvent, Envelope } from './types.js';

/**
 * What a state change owes the world. A use case is a function of the current state and its
 * input that returns the next state and its effects (`Transition`); `commitTransition`
 * (shared/envelope/transition.ts) makes them durable together: one outbox item per effect,
 * written ahead and bound to the state by the commit id that the envelope's conditional
 * write records. Workers (functions/worker/effects.ts) perform items idempotently and retire
 * them; the request that committed performs its `audit` items at once (so the trail is
 * current when it answers). See ARCHITECTURE.md, "State changes and the outbox".
 *
 * To add a kind: add a member to `EffectKinds` below (or, from your own module, merge into
 * it with `declare module '…/shared/envelope/effects.js' { interface EffectKinds { … } }`),
 * then register its handler in `EFFECT_HANDLERS` (functions/worker/effects.ts) — the
 * compiler refuses a kind without a handler.
 */
export interface EffectKinds {
  /** An audit event, chained at the end of the trail (idempotent: the item id is stored with the event). */
  audit: { readonly event: AuditInput };
  /** A webhook event: one delivery per subscribed endpoint, ids derived from the effect id (exactly once). */
  webhook: { readonly type: WebhookEventType; readonly data: Readonly<Record<string, unknown>> };
  /**
   * A message carrying a fresh link for one recipient, over their channels (email, SMS, Zalo:
   * shared/messaging/deliver.ts). The token is made by the worker, so no plaintext token is
   * ever stored: `sign` replaces the recipient's links (their turn, resend, address change),
   * `completed` and `reminder` add one. `audit`: the event appended once sent, with the
   * channels it went by added to its data (`channel`, e.g. "email" or "zalo+sms").
   */
  'link-message': {
    readonly recipientId: string;
    readonly purpose: 'sign' | 'completed' | 'reminder';
    readonly audit?: Omit<AuditInput, 'at' | 'data'> & { readonly data: Readonly<Record<string, unknown>> };
  };
  /** A fixed notice with nothing secret in it (declined, voided, expired), rendered at commit. */
  message: { readonly message: MailMessage };
  /** The organisation seal's turn came: the platform applies it (a signing run of its own). */
  'seal-turn': { readonly recipientId: string };
  /** The envelope completed: the head of its audit chain is signed (after every event of the completing commit). */
  'head-signature': Record<never, never>;
  /** The scheduler's list of open envelopes (reminders, expiry sweeps). */
  'open-index': { readonly op: 'add' | 'remove' };
  /**
   * A labour contract completed (or its rejected registration was retried): its registration
   * with the national platform is owed (shared/labour/start-registration.ts; Decree 337).
   */
  'labour-registration': Record<never, never>;
}

export type EffectKind = keyof EffectKinds;
export type Effect = { [K in EffectKind]: { readonly kind: K } & EffectKinds[K] }[EffectKind];
export type EffectOf<K extends EffectKind> = Extract<Effect, { kind: K }>;

/** An audit event before it is chained (seq, prevHash and hash are given by the commit). */
export type AuditInput = Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>;

/** The result of a use case: the next state and what it owes. `undefined` from a use case means "nothing to change". */
export interface Transition {
  readonly next: Envelope;
  readonly effects: readonly Effect[];
}

/** One owed effect, stored durably with the state change that caused it. */
export interface OutboxItem {
  /** `<envelopeId>.<version>.<index>`: unique, and the idempotency key of whatever the effect does. */
  readonly id: string;
  readonly tenantId: string;
  readonly envelopeId: string;
  /** The envelope version the commit wrote, and the commit's random id (in `Envelope.commits` once committed). */
  readonly version: number;
  readonly commitId: string;
  /** Position in the commit's effects: items of one envelope are performed in (version, index) order. */
  readonly index: number;
  readonly effect: Effect;
  readonly createdAt: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** Not before this instant (backoff after a failure, or a worker's claim). */
  readonly notBefore: string;
  readonly lastError?: string;
  /** A message effect already sent (when, through which channels): a rerun of the item does not send it again. */
  readonly sentAt?: string;
  readonly sentChannels?: string;
  /** An email of this item was being handed to SES at this instant (OutboxStore.markSending). */
  readonly sendingAt?: string;
  /** SES accepted this item's email with this MessageId (its answer, or its Send event). */
  readonly emailMessageId?: string;
}

/** Shorthands for use cases. */
export const audit = (event: AuditInput): Effect => ({ kind: 'audit', event });
export const webhook = (type: WebhookEventType, data: Readonly<Record<string, unknown>>): Effect => ({ kind: 'webhook', type, data });
