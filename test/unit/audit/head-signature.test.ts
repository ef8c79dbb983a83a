import { describe, expect, it } from 'vitest';
import { chainEvent } from '../../../shared/audit/chain.js';
import { signAuditHead, verifyAuditTrail } from '../../../shared/envelope/audit-trail-signature.js';
import type { EnvelopeDeps } from '../../../shared/envelope/deps.js';
import type { AuditRepository } from '../../../shared/envelope/ports.js';
import type { AuditEvent, Envelope } from '../../../shared/envelope/types.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import type { PlatformPki } from '../../../shared/pki/platform-pki.js';
import { softwareSigner } from '../../support/software-signer.js';

const memoryAudit = (): AuditRepository & { events: AuditEvent[] } => {
  const events: AuditEvent[] = [];
  return {
    events,
    async append(_t, _e, event) {
      const chained = chainEvent(event, events[events.length - 1]);
      events.push(chained);
      return chained;
    },
    async appendAll(_t, _e, entries) {
      for (const { event } of entries) events.push(chainEvent(event, events[events.length - 1]));
    },
    async list() {
      return events.map((e) => structuredClone(e));
    },
  };
};

const envelope = { id: 'env1', tenantId: 't1', status: 'completed' } as Envelope;
const clock = { now: () => new Date('2026-11-25T08:00:00Z') };

const setup = async (spec: KeySpec) => {
  const audit = memoryAudit();
  const signer = softwareSigner(spec);
  const deps = { audit, clock, pki: async () => ({ auditSigner: signer }) as unknown as PlatformPki } as unknown as EnvelopeDeps;
  for (const action of ['envelope.created', 'envelope.sent', 'recipient.signed', 'envelope.completed']) {
    await audit.append('t1', 'env1', { at: clock.now().toISOString(), action, actor: { type: 'system' } });
  }
  await signAuditHead(deps, envelope);
  return { audit, deps };
};

describe.each(['ECC_NIST_P256', 'RSA_2048'] as const)('audit head signature (%s)', (spec) => {
  it('verifies after signing, and keeps verifying as events are appended after the head', async () => {
    const { audit, deps } = await setup(spec);
    const head = audit.events[audit.events.length - 1];
    expect(head?.action).toBe('audit.head_signed');
    expect(head?.data?.seq).toBe(4);
    await audit.append('t1', 'env1', { at: clock.now().toISOString(), action: 'recipient.viewed', actor: { type: 'system' } });
    const r = await verifyAuditTrail(deps, envelope);
    expect(r).toMatchObject({ ok: true, events: 6, chain: { ok: true }, problems: [] });
    expect(r.headSignatures[0]).toMatchObject({ seq: 4, matchesEvent: true, signatureValid: true, platformKey: true });
  });

  it('reports an edited event as a chain break at that event', async () => {
    const { audit, deps } = await setup(spec);
    (audit.events[1] as { ip?: string }).ip = '203.0.113.9';
    const r = await verifyAuditTrail(deps, envelope);
    expect(r.ok).toBe(false);
    expect(r.chain).toEqual({ ok: false, brokenAt: 2 });
  });

  it('reports a chain rebuilt and re-signed with another key', async () => {
    const { audit, deps } = await setup(spec);
    const forger = softwareSigner(spec);
    const forged = { ...deps, pki: async () => ({ auditSigner: forger }) as unknown as PlatformPki } as EnvelopeDeps;
    audit.events.pop();
    await signAuditHead(forged, envelope);
    const r = await verifyAuditTrail(deps, envelope);
    expect(r.ok).toBe(false);
    expect(r.headSignatures[0]).toMatchObject({ signatureValid: true, platformKey: false });
  });

  it('flags a completed envelope whose head was never signed', async () => {
    const { audit, deps } = await setup(spec);
    audit.events.pop();
    const r = await verifyAuditTrail(deps, envelope);
    expect(r.ok).toBe(false);
    expect(r.problems.join(' ')).toMatch(/not signed/);
  });
});
