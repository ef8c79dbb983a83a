import { AppError } from '../errors.js';
import type { EnvelopeDeps } from './deps.js';
import { activeOrder } from './routing.js';
import { signEnvelope } from './sign-envelope.js';
import type { Envelope } from './types.js';

/**
 * The seal's turn (a `seal-turn` outbox item, performed by the worker): the platform signs
 * with the tenant's seal key and certificate through the same revision code as every signer
 * (signEnvelope), then routing moves on. If the seal cannot be applied now (no certificate
 * yet, KMS down), the recipient stays `notified`, the failure is audited once, and the
 * scheduler's reminders sweep (or a read of the envelope) tries again.
 */
export const applySeal = async (
  deps: EnvelopeDeps,
  envelope: Envelope,
  recipientId: string,
  /** `quiet`: a retry (the failure is already audited); `effectId`: the outbox item this runs for (the audit append is then idempotent). */
  options: { quiet?: boolean; effectId?: string } = {},
): Promise<Envelope> => {
  const [info, credentials] = await Promise.all([deps.seals.describe(envelope.tenantId), deps.seals.credentials(envelope.tenantId)]);
  const fail = async (reason: string) => {
    // Retries (sweeps, reads) stay quiet: the first failure is in the trail, the recipient stays `notified`.
    if (options.quiet) return envelope;
    await deps.audit.append(
      envelope.tenantId,
      envelope.id,
      { at: deps.clock.now().toISOString(), action: 'recipient.seal_failed', actor: { type: 'system' }, data: { recipientId, reason } },
      options.effectId ? { effectId: options.effectId } : {},
    );
    return envelope;
  };
  if (!info || !credentials) return fail('seal_not_provisioned');
  try {
    const { envelope: after } = await signEnvelope(
      deps,
      { tenantId: envelope.tenantId, envelopeId: envelope.id, recipientId, expiresAt: envelope.expiresAt ?? '' },
      { fields: {}, signature: { type: 'typed', value: info.organization } },
      {},
      { credentials, method: 'organisation-seal' },
    );
    return after;
  } catch (e) {
    // Someone else applied it (a concurrent request or the sweep), or the envelope ended meanwhile.
    if (
      e instanceof AppError &&
      ['already_signed', 'invalid_state', 'envelope_voided', 'envelope_declined', 'envelope_expired'].includes(e.code)
    ) {
      return (await deps.envelopes.get(envelope.tenantId, envelope.id)) ?? envelope;
    }
    if (e instanceof AppError) return fail(e.code);
    return fail((e as Error).name || 'error');
  }
};

/** Applies any seal whose turn came but which could not be applied then (no certificate yet, KMS down). */
export const resumeSeals = async (deps: EnvelopeDeps, envelope: Envelope): Promise<Envelope> => {
  let current = envelope;
  const order = activeOrder(current);
  if (current.status !== 'sent') return current;
  for (const seal of current.recipients.filter((r) => r.role === 'seal' && r.status === 'notified' && r.order === order)) {
    current = await applySeal(deps, current, seal.id, { quiet: true });
  }
  return current;
};
