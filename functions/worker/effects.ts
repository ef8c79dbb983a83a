import { applySeal } from '../../shared/envelope/apply-seal.js';
import type { EffectKind, EffectOf, OutboxItem } from '../../shared/envelope/effects.js';
import { type DrainResult, drainDue, drainEnvelope, type EffectPerformer } from '../../shared/envelope/outbox-worker.js';
import { sendLinkMessages, signCompletedHead } from '../../shared/envelope/owed-effects.js';
import type { Envelope } from '../../shared/envelope/types.js';
import { startRegistration } from '../../shared/labour/start-registration.js';
import { sendOwedEmail } from '../../shared/messaging/owed-email.js';
import { archiveCompleted } from '../../shared/retention/archive-envelope.js';
import { publishOwedEvent } from '../../shared/webhooks/publish-event.js';
import type { JobDeps } from './jobs.js';

/**
 * Performs one owed effect of its kind. Resolve = done (the item is retired); throw = not done
 * (it is tried again with backoff, and the repair sweep alarms if it stays owed). A handler
 * may run twice for one item (a worker dying between doing and retiring): make it idempotent
 * by `item.id`, or say what a second run costs.
 */
export type EffectHandler<K extends EffectKind> = (effect: EffectOf<K>, item: OutboxItem, deps: JobDeps) => Promise<void>;

/**
 * The registry: one handler per effect kind (shared/envelope/effects.ts). The type demands a
 * handler for every kind, so a new kind does not compile until it is registered here.
 */
export const EFFECT_HANDLERS: { readonly [K in EffectKind]: EffectHandler<K> } = {
  /** Idempotent: the event carries the item id, and an append finds it among the newest events. */
  audit: (effect, item, deps) =>
    deps.audit.append(item.tenantId, item.envelopeId, effect.event, { effectId: item.id }).then(() => undefined),
  /** Exactly once per endpoint: event and delivery ids derive from the item id (conditional put). */
  webhook: (effect, item, deps) =>
    publishOwedEvent(
      { webhooks: deps.webhooks, jobs: deps.jobs, clock: deps.clock, logger: deps.logger },
      item.tenantId,
      effect.type,
      effect.data,
      item,
    ).then(() => undefined),
  /** Once: a rerun after the send was recorded on the item (markSent), or after SES took its email, sends nothing. (Batched: see EFFECT_BATCHES.) */
  'link-message': async (effect, item, deps) => {
    const [error] = await sendLinkMessages(deps, [{ item, effect }]);
    if (error) throw error;
  },
  /** Once: marked before SES takes it, its MessageId recorded after, SES's Send event settles a crash between (sendOwedEmail). */
  message: async (effect, item, deps) => {
    await sendOwedEmail(deps, effect.message, item);
  },
  /** Idempotent: a seal already applied is `already_signed`, which applySeal treats as done. */
  'seal-turn': async (effect, item, deps) => {
    const envelope = await deps.envelopes.get(item.tenantId, item.envelopeId);
    if (envelope) await applySeal(deps, envelope, effect.recipientId, { effectId: item.id });
  },
  /** Idempotent: a head signature already after the last `envelope.completed` ends it. */
  'head-signature': (_effect, item, deps) => signCompletedHead(deps, item),
  /** Idempotent: a second run finds the recorded retention and only re-applies the locks (which never shorten). */
  archive: (_effect, item, deps) => archiveCompleted(deps, item.tenantId, item.envelopeId),
  /** Idempotent (a put or a delete of one index item). */
  'open-index': (effect, item, deps) =>
    effect.op === 'add'
      ? deps.openEnvelopes.add(item.tenantId, item.envelopeId)
      : deps.openEnvelopes.remove(item.tenantId, item.envelopeId),
  /** Idempotent: index puts, and a delivery job that does nothing once the registration moved on (startRegistration). */
  'labour-registration': (_effect, item, deps) => startRegistration(deps, item),
};

/**
 * Kinds whose due items of one envelope are performed together: every invitation of a send
 * makes its link live in one commit (shared/envelope/owed-effects.ts, sendLinkMessages).
 */
export const EFFECT_BATCHES: {
  readonly [K in EffectKind]?: (
    items: readonly OutboxItem[],
    deps: JobDeps,
    envelope?: Envelope,
  ) => Promise<readonly (Error | undefined)[]>;
} = {
  'link-message': (items, deps, envelope) =>
    sendLinkMessages(
      deps,
      items.map((item) => ({ item, effect: item.effect as EffectOf<'link-message'> })),
      envelope,
    ),
};

export const performEffect = (deps: JobDeps): EffectPerformer => ({
  one: (item) => (EFFECT_HANDLERS[item.effect.kind] as EffectHandler<EffectKind>)(item.effect as never, item, deps),
  batched: Object.fromEntries(
    Object.entries(EFFECT_BATCHES).map(([kind, batch]) => [
      kind,
      (items: readonly OutboxItem[], envelope?: Envelope) => batch(items, deps, envelope),
    ]),
  ),
});

/** What one envelope owes, performed now (the stream handler on AWS; the in-process poller locally). */
export const drainEnvelopeOutbox = (deps: JobDeps, tenantId: string, envelopeId: string): Promise<DrainResult> =>
  drainEnvelope(deps, performEffect(deps), tenantId, envelopeId);

/** Everything due (the local poller's periodic pass, and the repair sweep; `at`: as of that instant, see drainEnvelope). */
export const drainOutbox = (deps: JobDeps, at?: Date): Promise<DrainResult> => drainDue(deps, performEffect(deps), 200, 4, at);
