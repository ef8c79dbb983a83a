import { describe, expect, it } from 'vitest';
import type { EnvelopeDeps } from '../../../shared/envelope/deps.js';
import type { OpenedLink } from '../../../shared/envelope/open-link.js';
import type { Envelope } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';
import type { IdentityAttemptState, ProviderFinding } from '../../../shared/identity/ports.js';
import { recordFinding } from '../../../shared/identity/prove-identity.js';
import { memoryEnvelopes, memoryOutbox } from '../worker/memory-outbox.js';

const ID = '001203004567';
const finding = (idNumber: string): ProviderFinding => ({
  provider: 'ekyc-test',
  method: 'ekyc-document-face',
  transactionId: `tx-${idNumber}`,
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-01-02',
  idNumber,
  scores: { faceMatch: 0.97 },
});
const attempts: IdentityAttemptState = { tenantId: 't1', envelopeId: 'e1', recipientId: 'r1', version: 0, failures: 0 };

/** One envelope awaiting r1's proof (CCCD required), in memory, committed with its outbox items as DynamoDB does. */
const setup = () => {
  const outbox = memoryOutbox();
  const repo = memoryEnvelopes(outbox.store);
  const envelope = {
    id: 'e1',
    tenantId: 't1',
    version: 1,
    commits: ['c0'],
    status: 'sent',
    title: 'Hợp đồng lao động',
    language: 'vi',
    senderEmail: 'nhansu@congty.vn',
    recipients: [
      {
        id: 'r1',
        name: 'Nguyễn Văn An',
        email: 'an@example.vn',
        role: 'signer',
        status: 'notified',
        identity: { required: true, idNumber: ID },
      },
    ],
  } as unknown as Envelope;
  repo.envelopes.set('e1', envelope);
  let failCommits = 0;
  const audited: string[] = [];
  const deps = {
    clock: { now: () => new Date('2026-12-02T10:00:00Z') },
    envelopes: {
      get: repo.get,
      commit: async (next: Envelope, items: never[]) => {
        if (failCommits-- > 0) throw new AppError('service_unavailable', 'DynamoDB is unavailable.');
        await repo.commit(next, items);
      },
    },
    outbox: outbox.store,
    outboxSignal: { notify: () => {} },
    audit: {
      appendAll: async (_t: string, _e: string, events: { event: { action: string } }[]) =>
        void audited.push(...events.map((x) => x.event.action)),
    },
    identity: { minFaceMatch: 0.8 },
  } as unknown as EnvelopeDeps;
  const link = () => {
    const current = repo.envelopes.get('e1') as Envelope;
    return { grant: {}, tokenHash: 'h', envelope: current, recipient: current.recipients[0] } as unknown as OpenedLink;
  };
  const owedKinds = () => [...outbox.items.values()].map((i) => i.effect.kind).sort();
  const messages = () => [...outbox.items.values()].flatMap((i) => (i.effect.kind === 'message' ? [i.effect.message] : []));
  return {
    deps,
    link,
    audited,
    owedKinds,
    messages,
    stored: () => repo.envelopes.get('e1') as Envelope,
    failNextCommit: () => void failCommits++,
  };
};

describe('recordFinding commits a proof with what it owes', () => {
  it('counts a failure on the recipient in the same commit as its audit event and the sender’s notice', async () => {
    const s = setup();
    await expect(recordFinding(s.deps, s.link(), attempts, finding('999999999999'), {})).rejects.toMatchObject({
      code: 'identity_mismatch',
      details: { reason: 'id_number_mismatch', attemptsLeft: 4 },
    });
    expect(s.stored().recipients[0]?.identity).toMatchObject({ failures: 1 });
    expect(s.audited).toEqual(['recipient.identity_failed']);
    // The audit item was performed and retired by the request; the notice to the sender is owed to the worker.
    expect(s.owedKinds()).toEqual(['message']);
    expect(s.messages()).toEqual([
      expect.objectContaining({ to: 'nhansu@congty.vn', subject: 'Xác minh danh tính không khớp: Hợp đồng lao động' }),
    ]);
  });

  it('counts nothing when the commit fails (the 503 a client retries), and the retry counts once', async () => {
    const s = setup();
    s.failNextCommit();
    await expect(recordFinding(s.deps, s.link(), attempts, finding('999999999999'), {})).rejects.toMatchObject({
      code: 'service_unavailable',
    });
    expect(s.stored().recipients[0]?.identity?.failures).toBeUndefined();
    expect(s.owedKinds()).toEqual([]);
    await expect(recordFinding(s.deps, s.link(), attempts, finding('999999999999'), {})).rejects.toMatchObject({
      details: { attemptsLeft: 4 },
    });
    expect(s.stored().recipients[0]?.identity?.failures).toBe(1);
  });

  it('locks at the fifth failure and refuses a sixth without counting it', async () => {
    const s = setup();
    for (let i = 1; i <= 4; i++) await recordFinding(s.deps, s.link(), attempts, finding('999999999999'), {}).catch(() => undefined);
    await expect(recordFinding(s.deps, s.link(), attempts, finding('999999999999'), {})).rejects.toMatchObject({ code: 'identity_locked' });
    expect(s.stored().recipients[0]?.identity).toMatchObject({ failures: 5, lockedAt: '2026-12-02T10:00:00.000Z' });
    expect(s.audited.at(-1)).toBe('recipient.identity_locked');
    const version = s.stored().version;
    await expect(recordFinding(s.deps, s.link(), attempts, finding(ID), {})).rejects.toMatchObject({ code: 'identity_locked' });
    expect(s.stored().version).toBe(version);
    // Failures an older attempt record holds count too.
    const t = setup();
    await expect(recordFinding(t.deps, t.link(), { ...attempts, failures: 5 }, finding(ID), {})).rejects.toMatchObject({
      code: 'identity_locked',
    });
  });

  it('writes the evidence on the recipient with its identity_verified event, in one commit', async () => {
    const s = setup();
    const evidence = await recordFinding(s.deps, s.link(), attempts, finding(ID), {});
    expect(evidence).toMatchObject({ idNumber: ID, method: 'ekyc-document-face', transactionId: `tx-${ID}` });
    expect(s.stored().recipients[0]?.identity?.evidence).toEqual(evidence);
    expect(s.audited).toEqual(['recipient.identity_verified']);
    expect(s.owedKinds()).toEqual([]);
    await expect(recordFinding(s.deps, s.link(), attempts, finding(ID), {})).rejects.toMatchObject({ code: 'invalid_state' });
  });
});
