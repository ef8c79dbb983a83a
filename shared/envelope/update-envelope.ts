import { AppError } from '../errors.js';
import type { EnvelopeDeps } from './deps.js';
import type { Envelope } from './types.js';

/**
 * Read-modify-write with a version check: `change` computes the next state from the stored
 * one; if another writer got there first, re-read and try again. `change` may throw an
 * AppError to refuse (e.g. the recipient already signed), which ends the loop. No lock is
 * held while `change` runs (it may call KMS): losers just redo their work on the newer state.
 *
 * Budget: N writers racing on one envelope commit one per round, so the last needs N
 * attempts; 30 covers the ten parallel signers of the concurrency test with room to spare.
 * Backoff is jittered and grows to ~1 s so losers spread out instead of colliding again.
 */
export const updateEnvelope = async (
  deps: Pick<EnvelopeDeps, 'envelopes' | 'clock'>,
  tenantId: string,
  envelopeId: string,
  change: (current: Envelope) => Promise<Envelope> | Envelope,
  attempts = 30,
): Promise<{ before: Envelope; after: Envelope; attempts: number }> => {
  for (let attempt = 1; ; attempt++) {
    const before = await deps.envelopes.get(tenantId, envelopeId);
    if (!before) throw new AppError('envelope_not_found', 'Envelope not found.');
    const changed = await change(before);
    const after: Envelope = { ...changed, version: before.version + 1, updatedAt: deps.clock.now().toISOString() };
    try {
      await deps.envelopes.update(after);
      return { before, after, attempts: attempt };
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'conflict') || attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 20 * 2 ** Math.min(attempt, 6))));
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
