import { recordSentMessage, sendToRecipient } from '../messaging/deliver.js';
import { awaitingSendEvent } from '../messaging/owed-email.js';
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

/** The message kind (delivery log) of each link message's purpose. */
const PURPOSE_KIND = { sign: 'invitation', reminder: 'reminder', completed: 'completed' } as const;

/** A link message owed by an outbox item. */
export interface OwedLinkMessage {
  readonly item: OutboxItem;
  readonly effect: EffectOf<'link-message'>;
}

/**
 * Messages with fresh links, for every owed `link-message` of one envelope at once: each token
 * is made here (never stored in plain), and all their hashes are made live on the recipients in
 * ONE conditional write (`sign` replaces earlier links, the others add one), then the messages
 * go out in parallel and their audit events are appended in item order. One commit for ten
 * invitations instead of ten commits racing for the same envelope (each a conflict for the
 * others: ten invitations used to take ~5 s on moto, over 40 s under load). If a recipient
 * acted meanwhile, or the envelope ended, nothing is sent to them. An SMS or Zalo message sent is
 * recorded on its item at once (markSent): run again for that item, it sends nothing and makes no
 * link. An email is marked before it is handed to SES and tagged with its item, so a rerun learns
 * from SES's MessageId (its answer, or its Send event after a death) that it went
 * (shared/messaging/owed-email.ts); it is recorded with markSent only when its audit append fails.
 * Resolves to one outcome per message: undefined when done, the error when not (that item is
 * retried; the others are done).
 */
export const sendLinkMessages = async (
  deps: EnvelopeDeps,
  owed: readonly OwedLinkMessage[],
  /** The envelope as just read, if the caller has it (its commit below is still conditional on the version). */
  known?: Envelope,
): Promise<readonly (Error | undefined)[]> => {
  const first = owed[0];
  if (!first) return [];
  // An item whose earlier run may have emailed its link waits for SES's Send event first: a fresh
  // link now would replace the one that email carries (shared/messaging/owed-email.ts).
  const waiting = owed.map((m) => awaitingSendEvent(deps, m.item));
  if (waiting.some((w) => w)) {
    const rest = owed.filter((_, i) => !waiting[i]);
    const done = rest.length ? await sendLinkMessages(deps, rest, known) : [];
    let next = 0;
    return waiting.map((w) => w ?? done[next++]);
  }
  const envelope = known ?? (await deps.envelopes.get(first.item.tenantId, first.item.envelopeId));
  if (!envelope) return owed.map(() => undefined);
  const recipientOf = (e: Envelope, m: OwedLinkMessage) => e.recipients.find((r) => r.id === m.effect.recipientId);
  const wanted = (e: Envelope, m: OwedLinkMessage) => {
    const r = recipientOf(e, m);
    // An embedded recipient is reached through the tenant's own page (POST …/embedded-link): no message, no link.
    // One already sent by an earlier run of its item (a worker that died before retiring it) gets no second link,
    // nor one whose email SES took (its MessageId is on the item: that run's answer, or SES's Send event).
    return (
      !m.item.sentAt &&
      !m.item.emailMessageId &&
      !!r &&
      r.delivery !== 'embedded' &&
      !!(r.email || r.phone) &&
      stillWanted(e, r, m.effect.purpose)
    );
  };
  // One live link per message (the first of two owed `sign` messages for one recipient is replaced by the second).
  const links = await Promise.all(
    owed.map((m) => (wanted(envelope, m) ? storeLinkToken(deps, envelope, recipientOf(envelope, m) as Recipient) : undefined)),
  );
  let replaced: string[] = [];
  const { after } = await commitTransition(
    deps,
    envelope.tenantId,
    envelope.id,
    (current) => {
      replaced = [];
      const hashes = new Map<string, string[]>(current.recipients.map((r) => [r.id, [...(r.linkHashes ?? [])]]));
      let changed = false;
      owed.forEach((m, i) => {
        const link = links[i];
        if (!link || !wanted(current, m)) return;
        const id = m.effect.recipientId;
        if (m.effect.purpose === 'sign') {
          replaced.push(...(hashes.get(id) ?? []));
          hashes.set(id, [link.hash]);
        } else hashes.get(id)?.push(link.hash);
        changed = true;
      });
      if (!changed) return undefined;
      return {
        next: { ...current, recipients: current.recipients.map((r) => ({ ...r, linkHashes: hashes.get(r.id) ?? [] })) },
        effects: [],
      };
    },
    { current: envelope },
  );
  const live = (i: number) => {
    const link = links[i];
    const r = owed[i] && recipientOf(after, owed[i]);
    return !!link && !!r?.linkHashes?.includes(link.hash);
  };
  // Tokens not made live (the recipient acted or the envelope ended meanwhile) die unused, as do the replaced ones.
  const dead = [...replaced, ...links.flatMap((l, i) => (l && !live(i) ? [l.hash] : []))];
  await Promise.all(dead.filter((h) => !links.some((l, i) => l?.hash === h && live(i))).map((h) => deps.tokens.delete(h)));
  const tenant = await deps.tenants.get(envelope.tenantId);
  const sent = await Promise.all(
    owed.map(async (m, i) => {
      const link = links[i];
      const current = recipientOf(after, m);
      // Sent by an earlier run that died before retiring the item: not again (only its audit event may be owed).
      if (m.item.sentAt) return { error: undefined, channels: m.item.sentChannels ?? '' };
      // Its email was taken by SES in a run that died before recording more: recorded now, not sent again.
      if (m.item.emailMessageId && current) {
        try {
          await recordSentMessage(deps, envelope, current, PURPOSE_KIND[m.effect.purpose], 'email', {
            provider: 'ses',
            messageId: m.item.emailMessageId,
          });
          await deps.outbox.markSent(m.item, 'email', deps.clock.now()).catch(() => undefined);
          return { error: undefined, channels: 'email' };
        } catch (e) {
          return { error: e as Error, channels: undefined };
        }
      }
      // Embedded: nothing is sent, but their turn is still recorded (recipient.notified, channel "embedded").
      if (current?.delivery === 'embedded' && stillWanted(after, current, m.effect.purpose))
        return { error: undefined, channels: 'embedded' };
      if (!link || !current || !live(i)) return { error: undefined, channels: undefined };
      const notice = { senderName: tenant?.name ?? 'Kyso', title: envelope.title, link: link.link, language: envelope.language };
      try {
        const went = await sendToRecipient(
          deps,
          envelope,
          current,
          m.effect.purpose === 'sign'
            ? invitationMessage(current, notice)
            : m.effect.purpose === 'reminder'
              ? reminderMessage(current, notice)
              : completedMessage(current, { title: envelope.title, link: link.link, language: envelope.language }),
          undefined,
          m.item,
        );
        const channels = went.map((x) => x.channel).join('+');
        // An SMS or Zalo message is recorded at once, so a worker that dies from here on (audit, retire, the rest of the
        // batch) does not send it twice: those providers have no idempotency key, so only the window of this one write
        // remains. An email needs no such write while all goes well: its item is marked as handed to SES and the email
        // carries the item's reference, so a rerun finds SES's MessageId (the answer's, or the Send event's) and sends
        // nothing; it is recorded below only if the audit append fails (a rerun then goes straight to the audit event).
        // Best effort: if the write fails, the message still counts as sent (throwing would make the item send it again).
        const marked = went.some((x) => x.channel !== 'email');
        if (marked) await deps.outbox.markSent(m.item, channels, deps.clock.now()).catch(() => undefined);
        if (m.effect.purpose === 'completed') deps.crashPoint?.('after-completion-email');
        return { error: undefined, channels, marked };
      } catch (e) {
        return { error: e as Error, channels: undefined };
      }
    }),
  );
  // Audit events are chained: appended one after the other, in item order (idempotent by item id).
  const outcomes: (Error | undefined)[] = [];
  for (const [i, m] of owed.entries()) {
    const { error, channels, marked } = sent[i] as { error: Error | undefined; channels: string | undefined; marked?: boolean };
    if (!error && channels !== undefined && m.effect.audit) {
      try {
        await deps.audit.append(
          envelope.tenantId,
          envelope.id,
          { ...m.effect.audit, at: deps.clock.now().toISOString(), data: { ...m.effect.audit.data, channel: channels } },
          { effectId: m.item.id },
        );
      } catch (e) {
        if (marked === false) await deps.outbox.markSent(m.item, channels, deps.clock.now()).catch(() => undefined);
        outcomes.push(e as Error);
        continue;
      }
    }
    outcomes.push(error);
  }
  return outcomes;
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
