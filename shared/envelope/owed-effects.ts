import { sendToRecipient } from '../messaging/deliver.js';
import { completedMessage, invitationMessage, reminderMessage } from '../messaging/recipient-messages.js';
import { HEAD_SIGNED, signAuditHead } from './audit-trail-signature.js';
import type { EnvelopeDeps } from './deps.js';
import type { EffectOf, OutboxItem } from './effects.js';
import { storeLinkToken } from './notify-recipients.js';
import { commitTransition } from './transition.js';
import type { Envelope, Recipient } from './types.js';

/**
 * The domain side of the owed effects that need more than one port call (the dispatch table
 * is functions/worker/effects.ts). Each may run more than once for one item (a worker that
 * dies after doing it and before retiring it): each says what that costs.
 */

const stillWanted = (e: Envelope, r: Recipient, purpose: EffectOf<'link-message'>['purpose']): boolean =>
  purpose === 'completed' ? e.status === 'completed' : e.status === 'sent' && (r.status === 'notified' || r.status === 'viewed');

/**
 * A message with a fresh link: the token is made here (never stored in plain), its hash made
 * live on the recipient in a conditional write (`sign` replaces earlier links, the others add
 * one), then the message is sent. Run twice, it sends a second message with a second link.
 * If the recipient acted meanwhile, or the envelope ended, nothing is sent.
 */
export const sendLinkMessage = async (deps: EnvelopeDeps, item: OutboxItem, effect: EffectOf<'link-message'>): Promise<void> => {
  const envelope = await deps.envelopes.get(item.tenantId, item.envelopeId);
  const recipient = envelope?.recipients.find((r) => r.id === effect.recipientId);
  if (!envelope || !recipient || !(recipient.email || recipient.phone) || !stillWanted(envelope, recipient, effect.purpose)) return;
  const link = await storeLinkToken(deps, envelope, recipient);
  let replaced: readonly string[] = [];
  const { items, after } = await commitTransition(
    deps,
    envelope.tenantId,
    envelope.id,
    (current) => {
      const r = current.recipients.find((x) => x.id === recipient.id);
      if (!r || !stillWanted(current, r, effect.purpose)) return undefined;
      replaced = effect.purpose === 'sign' ? (r.linkHashes ?? []) : [];
      const linkHashes = effect.purpose === 'sign' ? [link.hash] : [...(r.linkHashes ?? []), link.hash];
      return { next: { ...current, recipients: current.recipients.map((x) => (x.id === r.id ? { ...x, linkHashes } : x)) }, effects: [] };
    },
    { current: envelope },
  );
  if (!after.recipients.find((r) => r.id === recipient.id)?.linkHashes?.includes(link.hash) && items.length === 0) {
    // Not made live (the recipient acted or the envelope ended meanwhile): the token dies unused.
    await deps.tokens.delete(link.hash);
    return;
  }
  await Promise.all(replaced.map((h) => deps.tokens.delete(h)));
  const tenant = await deps.tenants.get(envelope.tenantId);
  const notice = { senderName: tenant?.name ?? 'Kyso', title: envelope.title, link: link.link };
  const current = after.recipients.find((r) => r.id === recipient.id) ?? recipient;
  const sent = await sendToRecipient(
    deps,
    envelope,
    current,
    effect.purpose === 'sign'
      ? invitationMessage(current, notice)
      : effect.purpose === 'reminder'
        ? reminderMessage(current, notice)
        : completedMessage(current, { title: envelope.title, link: link.link }),
  );
  if (effect.audit) {
    await deps.audit.append(
      envelope.tenantId,
      envelope.id,
      {
        ...effect.audit,
        at: deps.clock.now().toISOString(),
        data: { ...effect.audit.data, channel: sent.map((x) => x.channel).join('+') },
      },
      { effectId: item.id },
    );
  }
};

/**
 * The audit head of a completed envelope is signed once: if a head signature already follows
 * the last `envelope.completed` event, there is nothing to do (so running twice signs once).
 */
export const signCompletedHead = async (deps: EnvelopeDeps, item: OutboxItem): Promise<void> => {
  const envelope = await deps.envelopes.get(item.tenantId, item.envelopeId);
  if (!envelope) return;
  const events = await deps.audit.list(envelope.tenantId, envelope.id);
  const completedAt = events.findLastIndex((e) => e.action === 'envelope.completed');
  if (events.slice(completedAt + 1).some((e) => e.action === HEAD_SIGNED)) return;
  await signAuditHead(deps, envelope, { effectId: item.id, events });
};

/**
 * A completed envelope must have a signed audit head after its `envelope.completed` event. By
 * design the completing commit owes it (`head-signature`), so this finds only what the design
 * did not foresee (an item deleted by hand, a bug): it owes it again, through the pipeline.
 * The long-term revision needs no such check: it is in the completing write itself.
 */
export const repairCompletedEnvelope = async (deps: EnvelopeDeps, envelope: Envelope): Promise<boolean> => {
  if (envelope.status !== 'completed') return false;
  const events = await deps.audit.list(envelope.tenantId, envelope.id);
  const completedAt = events.findLastIndex((e) => e.action === 'envelope.completed');
  if (completedAt < 0 || events.slice(completedAt + 1).some((e) => e.action === HEAD_SIGNED)) return false;
  const owed = await deps.outbox.forEnvelope(envelope.tenantId, envelope.id);
  if (owed.some((i) => i.effect.kind === 'head-signature')) return false;
  await commitTransition(deps, envelope.tenantId, envelope.id, (current) => ({ next: current, effects: [{ kind: 'head-signature' }] }), {
    current: envelope,
  });
  return true;
};
