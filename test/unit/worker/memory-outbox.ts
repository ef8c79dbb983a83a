import type { Effect, OutboxItem } from '../../../shared/envelope/effects.js';
import type { OutboxStore } from '../../../shared/envelope/ports.js';
import type { Envelope } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';

/** The DynamoDB outbox's semantics in memory: claims are leases on `notBefore`, postpone counts an attempt. */
export const memoryOutbox = () => {
  const items = new Map<string, OutboxItem>();
  const store: OutboxStore = {
    prepare: async (list) => {
      for (const i of list) items.set(i.id, i);
    },
    forEnvelope: async (t, e) => [...items.values()].filter((i) => i.tenantId === t && i.envelopeId === e),
    due: async (now, limit) => [...items.values()].filter((i) => Date.parse(i.notBefore) <= now.getTime()).slice(0, limit),
    olderThan: async (cutoff, limit) => [...items.values()].filter((i) => Date.parse(i.createdAt) < cutoff.getTime()).slice(0, limit),
    claim: async (item, now, leaseMs) => {
      const stored = items.get(item.id);
      if (!stored || Date.parse(stored.notBefore) > now.getTime()) return undefined;
      const claimed = { ...stored, notBefore: new Date(now.getTime() + leaseMs).toISOString() };
      items.set(item.id, claimed);
      return claimed;
    },
    claimAll: async (list, now, leaseMs) => {
      const ok = list.every((i) => {
        const stored = items.get(i.id);
        return (
          stored &&
          stored.notBefore === i.notBefore &&
          stored.emailMessageId === i.emailMessageId &&
          stored.sentAt === i.sentAt &&
          stored.sendingAt === i.sendingAt &&
          Date.parse(stored.notBefore) <= now.getTime()
        );
      });
      if (!ok) return undefined;
      const notBefore = new Date(now.getTime() + leaseMs).toISOString();
      return list.map((i) => {
        const claimed = { ...(items.get(i.id) as OutboxItem), notBefore };
        items.set(i.id, claimed);
        return claimed;
      });
    },
    release: async (claimed, notBefore) => {
      const stored = items.get(claimed.id);
      if (stored && stored.notBefore === claimed.notBefore) items.set(claimed.id, { ...stored, notBefore });
    },
    retire: async (item) => void items.delete(item.id),
    retireAll: async (list) => {
      for (const i of list) items.delete(i.id);
    },
    markSent: async (item, channels, at) => {
      const stored = items.get(item.id);
      if (stored) items.set(item.id, { ...stored, sentAt: at.toISOString(), sentChannels: channels });
    },
    markSending: async (item, at) => {
      const stored = items.get(item.id);
      if (!stored) return;
      const { sendingAt: _, ...rest } = stored;
      items.set(item.id, at ? { ...rest, sendingAt: at.toISOString() } : rest);
    },
    refOf: (item) => Buffer.from(item.id).toString('base64url'),
    markEmailAccepted: async (ref, messageId) => {
      const stored = items.get(Buffer.from(ref, 'base64url').toString());
      if (stored) items.set(stored.id, { ...stored, emailMessageId: messageId });
      return !!stored;
    },
    postpone: async (item, notBefore, error) => {
      const stored = items.get(item.id);
      if (stored) items.set(item.id, { ...stored, attempts: stored.attempts + 1, notBefore: notBefore.toISOString(), lastError: error });
    },
  };
  return { store, items };
};

/** Envelopes in memory, committed conditionally on `version` with their outbox items (EnvelopeRepository.commit). */
export const memoryEnvelopes = (outbox: OutboxStore) => {
  const envelopes = new Map<string, Envelope>();
  return {
    envelopes,
    get: async (_t: string, id: string) => envelopes.get(id),
    commit: async (next: Envelope, list: readonly OutboxItem[]) => {
      if ((envelopes.get(next.id)?.version ?? 0) !== next.version - 1) throw new AppError('conflict', 'version moved');
      await outbox.prepare(list);
      envelopes.set(next.id, next);
    },
  };
};

/** An envelope as far as the worker looks at it. */
export const envelopeAt = (id: string, version: number, commits: string[], status = 'sent'): Envelope =>
  ({ id, tenantId: 't1', version, commits, status }) as unknown as Envelope;

/** An owed item of envelope `e1` (committed by `commit<version>` unless told otherwise). */
export const owed = (version: number, index: number, effect: Effect, extra: Partial<OutboxItem> = {}): OutboxItem => ({
  id: `e1.${version}.${index}`,
  tenantId: 't1',
  envelopeId: 'e1',
  version,
  commitId: `commit${version}`,
  index,
  effect,
  createdAt: new Date().toISOString(),
  attempts: 0,
  notBefore: new Date(0).toISOString(),
  ...extra,
});
