import { describe, expect, it } from 'vitest';
import { createSentEnvelope } from '../../../shared/envelope/create-sent-envelope.js';
import type { EnvelopeDeps } from '../../../shared/envelope/deps.js';
import type { AuditInput, OutboxItem } from '../../../shared/envelope/effects.js';
import type { Envelope } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';
import type { PlatformPki } from '../../../shared/pki/platform-pki.js';
import { renderHtml } from '../../../shared/templates/render-html.js';
import { createTestPki } from '../../support/test-pki.js';

/** In-memory adapters that record every write: what is under test is which writes a send made, and in what. */
const recordingDeps = async () => {
  const test = await createTestPki();
  const pki = {
    credentialsFor: async (subject: { name: string }) => ({
      certificate: await test.issueSigner(subject.name),
      chain: [test.ca, test.root],
      signer: test.signerKey,
    }),
    tsa: test.tsa,
  } as unknown as PlatformPki;
  const envelopes = new Map<string, Envelope>();
  const docs = new Map<string, Uint8Array>();
  const writes: string[] = [];
  const committed: { envelope: Envelope; events: readonly AuditInput[]; items: readonly OutboxItem[] }[] = [];
  const notified: string[] = [];
  const refuse = (what: string) => async () => {
    writes.push(what);
    throw new Error(`${what}: not expected`);
  };
  const deps = {
    envelopes: {
      create: refuse('envelopes.create'),
      update: refuse('envelopes.update'),
      commit: refuse('envelopes.commit'),
      get: async (_: string, id: string) => envelopes.get(id),
      async createCommitted(envelope: Envelope, events: readonly AuditInput[], items: readonly OutboxItem[]) {
        writes.push('envelopes.createCommitted');
        if (envelopes.has(envelope.id)) throw new AppError('conflict', 'Envelope already exists.');
        envelopes.set(envelope.id, envelope);
        committed.push({ envelope, events, items });
        return [];
      },
    },
    documents: { put: async (k: string, b: Uint8Array) => void docs.set(k, b), get: async (k: string) => docs.get(k) as Uint8Array },
    audit: { append: refuse('audit.append'), appendAll: refuse('audit.appendAll') },
    outbox: { prepare: refuse('outbox.prepare') },
    outboxSignal: { notify: (_: string, id: string) => void notified.push(id) },
    tenants: { get: refuse('tenants.get') },
    seals: { describe: async () => undefined },
    clock: { now: () => new Date() },
    pki: async () => pki,
  } as unknown as EnvelopeDeps;
  return { deps, docs, writes, committed, notified };
};

const input = async () => {
  const rendered = await renderHtml('<p>Hợp đồng mua bán điện</p><p>BÊN MUA</p>');
  return {
    title: 'Hợp đồng – Lê Văn Cường',
    documents: [{ name: 'hop-dong.pdf', content: rendered.pdf }],
    recipients: [
      { name: 'Lê Văn Cường', email: 'cuong@example.vn', role: 'signer' as const, order: 1 },
      { name: 'Điện lực', email: 'hopdong@dien.example.vn', role: 'signer' as const, order: 2 },
    ],
    fields: [
      { recipient: 0, document: 0, type: 'signature' as const, page: 1, x: 60, y: 120, width: 160, height: 44 },
      { recipient: 1, document: 0, type: 'signature' as const, page: 1, x: 300, y: 120, width: 160, height: 44 },
    ],
  };
};

describe('createSentEnvelope', () => {
  it('writes the new envelope once, already sent, with its two events and the send’s other effects in the same write', async () => {
    const { deps, docs, writes, committed, notified } = await recordingDeps();
    const tenant = { id: 't1', name: 'Công ty Điện lực', createdAt: '2026-01-01T00:00:00Z' };
    const sent = await createSentEnvelope(deps, 't1', await input(), {}, { envelopeId: 'row-1', tenant } as never);
    expect(writes).toEqual(['envelopes.createCommitted']);
    const [only] = committed;
    expect(only?.envelope).toMatchObject({ id: 'row-1', status: 'sent', version: 1 });
    expect(only?.envelope.commits).toHaveLength(1);
    expect(only?.events.map((e) => e.action)).toEqual(['envelope.created', 'envelope.sent']);
    // The first signer's link (the second signs after), the webhook and the scheduler's list, bound to the one commit.
    expect(only?.items.map((i) => i.effect.kind)).toEqual(['webhook', 'open-index', 'link-message']);
    for (const i of only?.items ?? []) expect(i).toMatchObject({ version: 1, commitId: only?.envelope.commits?.[0], envelopeId: 'row-1' });
    expect(sent.recipients.map((r) => r.status)).toEqual(['notified', 'pending']);
    // The original and the certified revision are both stored; the envelope points at the certified one.
    expect(docs.size).toBe(2);
    const doc = sent.documents[0];
    expect(doc?.revisions).toBe(1);
    expect(doc?.sha256).not.toBe(doc?.originalSha256);
    expect(Buffer.from(docs.get(doc?.key ?? '') ?? []).toString('latin1')).toContain('/DocMDP');
    expect(notified).toEqual(['row-1']);
  });

  it('is refused with conflict when the id exists (a bulk row delivered again), and writes nothing else', async () => {
    const { deps, writes } = await recordingDeps();
    const tenant = { id: 't1', name: 'Công ty', createdAt: '2026-01-01T00:00:00Z' };
    await createSentEnvelope(deps, 't1', await input(), {}, { envelopeId: 'row-2', tenant } as never);
    await expect(createSentEnvelope(deps, 't1', await input(), {}, { envelopeId: 'row-2', tenant } as never)).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(writes).toEqual(['envelopes.createCommitted', 'envelopes.createCommitted']);
  });
});
