import { randomId } from '../util/bytes.js';
import {
  type CreateEnvelopeInput,
  type CreateEnvelopeOptions,
  createEnvelope,
  prepareEnvelope,
  storeDocuments,
} from './create-envelope.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import type { AuditInput, Effect } from './effects.js';
import { MAX_COMMITTED_WRITES } from './ports.js';
import { decideSend, sendEnvelope } from './send-envelope.js';
import { outboxItemsFor } from './transition.js';
import type { Envelope, Tenant } from './types.js';

/**
 * createEnvelope then sendEnvelope, as one state change: the new envelope is validated and its
 * documents stored as createEnvelope does, certified as sendEnvelope does, and written once,
 * already sent — with its `envelope.created` and `envelope.sent` events and the outbox items of
 * the send's other effects, in one atomic write (EnvelopeRepository.createCommitted). A bulk
 * row costs one envelope write instead of a draft write, a send commit and two audit appends,
 * and there is no moment at which the envelope exists without its events. Idempotent as
 * createEnvelope is: a second attempt with the same `envelopeId` fails with `conflict`.
 */
export const createSentEnvelope = async (
  deps: EnvelopeDeps,
  tenantId: string,
  input: CreateEnvelopeInput,
  meta: RequestMeta,
  /** `tenant`: already read by the caller (a bulk chunk reads it once for its rows). */
  options: CreateEnvelopeOptions & { readonly tenant?: Tenant } = {},
): Promise<Envelope> => {
  // The envelope, two events, the webhook and the open-index item, and at most one item per recipient
  // (their link or the seal's turn); more than one write takes (a parallel envelope with ~100 signers): two steps.
  if (5 + input.recipients.length > MAX_COMMITTED_WRITES) {
    const stored = await createEnvelope(deps, tenantId, input, meta, options);
    return sendEnvelope(deps, tenantId, stored.id, meta, { current: stored });
  }
  const { envelope: draft, contents, created } = await prepareEnvelope(deps, tenantId, input, meta, options);
  await storeDocuments(deps, draft, contents);
  const tenant = options.tenant ?? (await deps.tenants.get(tenantId));
  const { next, effects } = await decideSend(deps, draft, tenant, meta);
  const events: AuditInput[] = [created];
  const owed: Effect[] = [];
  for (const e of effects) {
    if (e.kind === 'audit') events.push(e.event);
    else owed.push(e);
  }
  const commitId = randomId(9);
  const sent: Envelope = { ...next, version: 1, updatedAt: deps.clock.now().toISOString(), commits: [commitId] };
  // Outbox timing is wall-clock time, not the use case's clock (as commitTransition).
  const items = outboxItemsFor(sent, owed, commitId, new Date());
  await deps.envelopes.createCommitted(sent, events, items);
  if (items.length) deps.outboxSignal.notify(tenantId, sent.id);
  return sent;
};
