import { describe, expect, it } from 'vitest';
import type { JobDeps } from '../../../functions/worker/jobs.js';
import { runRepairSweep, STUCK_AFTER_MS } from '../../../functions/worker/repair.js';
import type { Effect } from '../../../shared/envelope/effects.js';
import { CLAIM_MS } from '../../../shared/envelope/outbox-worker.js';
import { envelopeAt, memoryEnvelopes, memoryOutbox, owed } from './memory-outbox.js';

/** The sweep's world in memory: outbox, envelopes, audit trail, the open-envelope list, captured logs. */
const world = () => {
  const outbox = memoryOutbox();
  const envelopes = memoryEnvelopes(outbox.store);
  const trail: { action: string; effectId?: string }[] = [];
  const logs: { level: string; message: string; [k: string]: unknown }[] = [];
  const open = [{ tenantId: 't1', envelopeId: 'e1' }];
  const signals: string[] = [];
  const deps = {
    outbox: outbox.store,
    envelopes,
    audit: {
      list: async () => trail.map((e, seq) => ({ ...e, seq })),
      append: async (_t: string, _e: string, event: { action: string }, options?: { effectId?: string }) => {
        trail.push({ action: event.action, ...(options?.effectId ? { effectId: options.effectId } : {}) });
        return event;
      },
    },
    openEnvelopes: { list: async () => ({ items: open }) },
    clock: { now: () => new Date() },
    outboxSignal: { notify: (_t: string, e: string) => signals.push(e) },
    logger: {
      info: () => {},
      warn: (message: string, data?: Record<string, unknown>) => logs.push({ level: 'warn', message, ...data }),
      error: (message: string, data?: Record<string, unknown>) => logs.push({ level: 'error', message, ...data }),
    },
  } as unknown as JobDeps;
  return { deps, outbox, envelopes, trail, logs, open, signals };
};

const auditOf = (action: string): Effect => ({ kind: 'audit', event: { action } }) as unknown as Effect;

describe('runRepairSweep', () => {
  it('performs what a dead worker left owed, once (the audit event carries its item id)', async () => {
    const w = world();
    w.envelopes.envelopes.set('e1', envelopeAt('e1', 1, ['commit1']));
    w.outbox.items.set('e1.1.0', owed(1, 0, auditOf('recipient.signed')));
    expect(await runRepairSweep(w.deps)).toEqual({ performed: 1, failed: 0, orphaned: 0, stuck: 0, repairedHeads: 0 });
    expect(w.trail).toEqual([{ action: 'recipient.signed', effectId: 'e1.1.0' }]);
    expect(await runRepairSweep(w.deps)).toMatchObject({ performed: 0 });
    expect(w.trail).toHaveLength(1);
  });

  it('as of a later instant (`?now=`), performs what a dead worker had claimed once its claim has run out, and not before', async () => {
    const w = world();
    w.envelopes.envelopes.set('e1', envelopeAt('e1', 1, ['commit1']));
    const now = new Date();
    // Claimed by a worker that was killed while performing it: held until CLAIM_MS after its claim.
    w.outbox.items.set('e1.1.0', owed(1, 0, auditOf('recipient.signed'), { notBefore: new Date(now.getTime() + CLAIM_MS).toISOString() }));
    expect(await runRepairSweep(w.deps, now)).toMatchObject({ performed: 0, stuck: 0 });
    expect(w.trail).toEqual([]);
    expect(await runRepairSweep(w.deps, new Date(now.getTime() + CLAIM_MS + 1000))).toMatchObject({ performed: 1, stuck: 0 });
    expect(w.trail).toEqual([{ action: 'recipient.signed', effectId: 'e1.1.0' }]);
    expect(w.outbox.items.size).toBe(0);
  });

  it('logs each effect owed longer than STUCK_AFTER_MS as an error (the OutboxStuck alarm), with ids and cause only', async () => {
    const w = world();
    w.envelopes.envelopes.set('e1', envelopeAt('e1', 1, ['commit1']));
    const now = new Date();
    w.outbox.items.set(
      'e1.1.0',
      owed(1, 0, { kind: 'message', message: { to: 'an@example.vn', subject: 'Hợp đồng', text: 't', html: 'h' } } as unknown as Effect, {
        createdAt: new Date(now.getTime() - STUCK_AFTER_MS - 1000).toISOString(),
        notBefore: new Date(now.getTime() + 60_000).toISOString(), // backing off: not due in this sweep
        attempts: 7,
        lastError: 'MessageRejected: Email address is not verified.',
      }),
    );
    w.outbox.items.set('e1.1.1', owed(1, 1, auditOf('young'), { notBefore: new Date(now.getTime() + 60_000).toISOString() }));
    const result = await runRepairSweep(w.deps, now);
    expect(result).toMatchObject({ performed: 0, stuck: 1 });
    const stuck = w.logs.filter((l) => l.message === 'owed effect stuck');
    expect(stuck).toEqual([
      {
        level: 'error',
        message: 'owed effect stuck',
        tenantId: 't1',
        envelopeId: 'e1',
        item: 'e1.1.0',
        kind: 'message',
        attempts: 7,
        cause: 'MessageRejected: Email address is not verified.',
      },
    ]);
    expect(JSON.stringify(w.logs)).not.toContain('an@example.vn');
  });

  it('a completed envelope without its signed audit head owes it again (once), through a commit', async () => {
    const w = world();
    w.envelopes.envelopes.set('e1', envelopeAt('e1', 4, ['commit4'], 'completed'));
    w.trail.push({ action: 'envelope.sent' }, { action: 'recipient.signed' }, { action: 'envelope.completed' });
    expect(await runRepairSweep(w.deps)).toMatchObject({ repairedHeads: 1 });
    const items = [...w.outbox.items.values()];
    expect(items.map((i) => i.effect.kind)).toEqual(['head-signature']);
    expect(w.envelopes.envelopes.get('e1')?.version).toBe(5);
    expect(w.envelopes.envelopes.get('e1')?.commits).toContain(items[0]?.commitId);
    expect(w.signals).toEqual(['e1']);
    // Owed already: the next sweep does not owe it twice (its performing is the worker's, not checked here).
    w.outbox.items.set(items[0]?.id as string, {
      ...(items[0] as (typeof items)[number]),
      notBefore: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(await runRepairSweep(w.deps)).toMatchObject({ repairedHeads: 0 });
    // Signed after completion: nothing to repair.
    w.outbox.items.clear();
    w.trail.push({ action: 'audit.head_signed' });
    expect(await runRepairSweep(w.deps)).toMatchObject({ repairedHeads: 0 });
    expect(w.outbox.items.size).toBe(0);
  });

  it('open envelopes that are not completed are left alone', async () => {
    const w = world();
    w.envelopes.envelopes.set('e1', envelopeAt('e1', 2, ['commit2'], 'sent'));
    w.trail.push({ action: 'envelope.sent' });
    expect(await runRepairSweep(w.deps)).toEqual({ performed: 0, failed: 0, orphaned: 0, stuck: 0, repairedHeads: 0 });
    expect(w.envelopes.envelopes.get('e1')?.version).toBe(2);
  });
});
