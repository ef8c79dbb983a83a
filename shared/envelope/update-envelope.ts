import { AppError } from '../errors.js';
import type { EnvelopeDeps } from './deps.js';
import type { Envelope } from './types.js';

/**
 * Read-modify-write with a version check: `change` computes the next state from the stored
 * one; if another writer got there first, re-read and try again. `change` may throw an
 * AppError to refuse (e.g. the recipient already signed), which ends the loop.
 */
export const updateEnvelope = async (
  deps: Pick<EnvelopeDeps, 'envelopes' | 'clock'>,
  tenantId: string,
  envelopeId: string,
  change: (current: Envelope) => Promise<Envelope> | Envelope,
  attempts = 8,
): Promise<{ before: Envelope; after: Envelope }> => {
  for (let attempt = 1; ; attempt++) {
    const before = await deps.envelopes.get(tenantId, envelopeId);
    if (!before) throw new AppError('envelope_not_found', 'Envelope not found.');
    const changed = await change(before);
    const after: Envelope = { ...changed, version: before.version + 1, updatedAt: deps.clock.now().toISOString() };
    try {
      await deps.envelopes.update(after);
      return { before, after };
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'conflict') || attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
};

export const getEnvelopeOrThrow = async (
  deps: Pick<EnvelopeDeps, 'envelopes'>,
  tenantId: string,
  envelopeId: string,
): Promise<Envelope> => {
  const envelope = await deps.envelopes.get(tenantId, envelopeId);
  if (!envelope) throw new AppError('envelope_not_found', 'Envelope not found.');
  return envelope;
};
