import { AppError } from '../errors.js';
import { declinedEmail, expiredEmail, voidedEmail } from '../mail/workflow-templates.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { audit, type Effect, webhook } from './effects.js';
import type { MailMessage } from './ports.js';
import { assertCanAct, hasActed } from './routing.js';
import { commitTransition } from './transition.js';
import type { Envelope, Recipient } from './types.js';

/**
 * The three ways an envelope ends without completing. Each is one commit: the state (which
 * kills every link of the envelope at once), the audit event, and what it owes — the notices
 * (one per address), leaving the scheduler's list, and the webhook event.
 */

/** Embedded recipients are told by the tenant's own site, never by us. */
const hadLink = (r: Recipient) => r.role !== 'seal' && !!r.email && r.status !== 'pending' && r.delivery !== 'embedded';

/** The effects of an ending: one notice per address, the scheduler's list, the webhook. */
const endingEffects = (e: Envelope, notices: readonly MailMessage[]): Effect[] => {
  const seen = new Set<string>();
  const messages: Effect[] = [];
  for (const m of notices) {
    if (seen.has(m.to)) continue;
    seen.add(m.to);
    messages.push({ kind: 'message', message: m });
  }
  const type = e.status === 'voided' ? 'envelope.voided' : e.status === 'declined' ? 'envelope.declined' : 'envelope.expired';
  return [
    ...messages,
    { kind: 'open-index', op: 'remove' },
    webhook(type, { envelopeId: e.id, status: e.status, ...(e.statusReason ? { reason: e.statusReason } : {}) }),
  ];
};

const isDue = (e: Envelope, now: Date) => e.status === 'sent' && !!e.expiresAt && Date.parse(e.expiresAt) <= now.getTime();

/** Lazy expiry: a sent envelope past its expiresAt becomes expired on the first access (or sweep) that sees it. */
export const expireIfDue = async (deps: EnvelopeDeps, envelope: Envelope): Promise<Envelope> => {
  if (!isDue(envelope, deps.clock.now())) return envelope;
  const { after } = await commitTransition(
    deps,
    envelope.tenantId,
    envelope.id,
    (current) => {
      const now = deps.clock.now();
      if (!isDue(current, now)) return undefined;
      const next: Envelope = { ...current, status: 'expired', expiredAt: now.toISOString() };
      const to = [...(next.senderEmail ? [next.senderEmail] : []), ...next.recipients.filter(hadLink).map((r) => r.email)];
      return {
        next,
        effects: [
          audit({ at: now.toISOString(), action: 'envelope.expired', actor: { type: 'system' }, data: { expiresAt: next.expiresAt } }),
          ...endingEffects(
            next,
            to.map((email) => expiredEmail({ to: email, title: next.title, language: next.language })),
          ),
        ],
      };
    },
    { current: envelope },
  );
  return after;
};

/** A signer or approver declines, with a reason: the envelope ends; the sender and everyone who had acted hear of it. */
export const declineEnvelope = async (
  deps: EnvelopeDeps,
  link: { tenantId: string; envelopeId: string; recipientId: string },
  reason: string,
  meta: RequestMeta & { method?: string },
  options: { readonly current?: Envelope } = {},
): Promise<Envelope> => {
  const why = reason.trim();
  if (!why) throw new AppError('validation_failed', 'Say why you decline (reason).');
  const now = deps.clock.now().toISOString();
  const { method, ...requestMeta } = meta;
  const { after } = await commitTransition(
    deps,
    link.tenantId,
    link.envelopeId,
    (current) => {
      const who = assertCanAct(current, link.recipientId, ['signer', 'approver']);
      const next: Envelope = {
        ...current,
        status: 'declined',
        declinedAt: now,
        statusReason: why,
        recipients: current.recipients.map((r) =>
          r.id === link.recipientId ? { ...r, status: 'declined', declinedAt: now, declineReason: why } : r,
        ),
      };
      const to = [
        ...(next.senderEmail ? [next.senderEmail] : []),
        ...next.recipients.filter((r) => hasActed(r) && r.email).map((r) => r.email),
      ];
      return {
        next,
        effects: [
          audit({
            at: now,
            action: 'recipient.declined',
            actor: { type: 'recipient', id: who.id, email: who.email },
            ...requestMeta,
            data: { reason: why, role: who.role, ...(method ? { method } : {}) },
          }),
          ...endingEffects(
            next,
            to.map((email) => declinedEmail({ to: email, title: next.title, who: who.name, reason: why, language: next.language })),
          ),
        ],
      };
    },
    options.current ? { current: options.current } : {},
  );
  return after;
};

/** The sender voids an envelope that is out for signing (or still a draft): every link dies at once. */
export const voidEnvelope = async (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
  reason: string,
  meta: RequestMeta,
): Promise<Envelope> => {
  const why = reason.trim();
  if (!why) throw new AppError('validation_failed', 'Say why the envelope is voided (reason).');
  const now = deps.clock.now().toISOString();
  const tenant = await deps.tenants.get(tenantId);
  const { after } = await commitTransition(deps, tenantId, envelopeId, (current) => {
    if (current.status !== 'sent' && current.status !== 'draft') {
      throw new AppError('invalid_state', `The envelope is ${current.status}; only a draft or a sent envelope can be voided.`);
    }
    const next: Envelope = { ...current, status: 'voided', voidedAt: now, statusReason: why };
    return {
      next,
      effects: [
        audit({
          at: now,
          action: 'envelope.voided',
          actor: { type: 'tenant', id: tenantId },
          ...meta,
          data: { reason: why, previousStatus: current.status },
        }),
        ...endingEffects(
          next,
          next.recipients
            .filter(hadLink)
            .map((r) =>
              voidedEmail({ to: r.email, title: next.title, senderName: tenant?.name ?? 'Kyso', reason: why, language: next.language }),
            ),
        ),
      ],
    };
  });
  return after;
};
