import type { EnvelopeDeps } from '../envelope/deps.js';
import type { OutboxItem } from '../envelope/effects.js';

/**
 * The `labour-registration` effect (owed by the completing write, and by a retry): records
 * the registration in the labour indexes (the sweep's list, the report) and queues its first
 * delivery attempt. Safe to run twice for one item: the index writes are puts, and a second
 * job finds the registration moved on (registered or rejected: nothing; submitted: a status
 * poll; pending: a submission the platform answers as a duplicate of our stable reference).
 * A failure throws, so the outbox retries it.
 */
export const startRegistration = async (deps: EnvelopeDeps, item: Pick<OutboxItem, 'tenantId' | 'envelopeId'>): Promise<void> => {
  const labour = deps.labour;
  if (!labour) return;
  const envelope = await deps.envelopes.get(item.tenantId, item.envelopeId);
  const reg = envelope?.labourContract?.registration;
  if (!envelope || !reg) return;
  await labour.index.record(envelope);
  if (reg.status === 'pending' || reg.status === 'submitted') await labour.kick(item.tenantId, item.envelopeId);
};
