import { AppError } from '../errors.js';
import type { EnvelopeDeps } from './deps.js';
import { type CommitDeps, commitTransition } from './transition.js';
import type { Envelope } from './types.js';

/**
 * A state change that owes nothing (no audit event, no message, no webhook): a
 * commitTransition without effects. Anything that owes an effect uses commitTransition.
 */
export const updateEnvelope = async (
  deps: CommitDeps,
  tenantId: string,
  envelopeId: string,
  change: (current: Envelope) => Promise<Envelope> | Envelope,
  attempts = 30,
): Promise<{ before: Envelope; after: Envelope; attempts: number }> =>
  commitTransition(deps, tenantId, envelopeId, async (current) => ({ next: await change(current), effects: [] }), { attempts });

export const getEnvelopeOrThrow = async (
  deps: Pick<EnvelopeDeps, 'envelopes'>,
  tenantId: string,
  envelopeId: string,
): Promise<Envelope> => {
  const envelope = await deps.envelopes.get(tenantId, envelopeId);
  if (!envelope) throw new AppError('envelope_not_found', 'Envelope not found.');
  return envelope;
};
