import type { EnvelopeDeps } from '../envelope/deps.js';
import { audit } from '../envelope/effects.js';
import { commitTransition } from '../envelope/transition.js';
import type { Envelope } from '../envelope/types.js';
import { getEnvelopeOrThrow } from '../envelope/update-envelope.js';
import { AppError } from '../errors.js';

/**
 * POST /v1/envelopes/{id}/labour-registration/retry: after the sender fixed what the platform
 * objected to, a rejected registration goes back to `pending`, owing a new
 * `labour-registration` effect in the same write. Idempotent: a registration that is already
 * pending, submitted or registered is returned as it is.
 */
export const retryRegistration = async (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
  actor: { type: 'tenant'; id: string },
): Promise<Envelope> => {
  const envelope = await getEnvelopeOrThrow(deps, tenantId, envelopeId);
  if (!envelope.labourContract) throw new AppError('labour_registration_not_retryable', 'This envelope is not a labour contract.');
  if (!envelope.labourContract.registration) {
    throw new AppError(
      'labour_registration_not_retryable',
      'The labour contract is not completed yet: nothing is registered before the last signature.',
    );
  }
  const { after } = await commitTransition(
    deps,
    tenantId,
    envelopeId,
    (current) => {
      const r = current.labourContract?.registration;
      if (!current.labourContract || r?.status !== 'rejected') return undefined;
      const { reason, nextAttemptAt: _next, submissionId: _sub, ...rest } = r;
      return {
        next: { ...current, labourContract: { ...current.labourContract, registration: { ...rest, status: 'pending' } } },
        effects: [
          audit({
            at: deps.clock.now().toISOString(),
            action: 'labour_contract.registration_retried',
            actor,
            data: { previousReason: reason },
          }),
          { kind: 'labour-registration' },
        ],
      };
    },
    { current: envelope },
  );
  return after;
};
