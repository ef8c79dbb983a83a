import { afterAll, describe, expect, it } from 'vitest';
import { dynamoOutbox } from '../../functions/aws/dynamo-outbox.js';
import { dynamoEnvelopeRepository } from '../../functions/aws/dynamo-repositories.js';
import { audit, type Effect } from '../../shared/envelope/effects.js';
import { outboxItemsFor } from '../../shared/envelope/transition.js';
import type { Envelope } from '../../shared/envelope/types.js';
import { AppError } from '../../shared/errors.js';
import { randomId } from '../../shared/util/bytes.js';
import { localDynamo, TEST_TABLE } from '../support/aws.js';

/**
 * A state change and its owed effects (the outbox) on the real local endpoint: one transaction
 * when they fit, the items first and then the envelope's conditional put when they do not.
 */
const client = localDynamo();
/** The commands the repository sent, by name. */
const sent: string[] = [];
const counting = Object.create(client, {
  send: {
    value: (command: object, ...rest: unknown[]) => {
      sent.push(command.constructor.name);
      return client.send(command as never, ...(rest as []));
    },
  },
});
const envelopes = dynamoEnvelopeRepository({ client: counting, tableName: TEST_TABLE });
const outbox = dynamoOutbox({ client, tableName: TEST_TABLE });

const newEnvelope = async (): Promise<Envelope> => {
  const now = new Date().toISOString();
  const envelope = {
    id: randomId(9),
    tenantId: `commit-${randomId(6)}`,
    title: 'Hợp đồng dịch vụ',
    status: 'draft',
    version: 1,
    createdAt: now,
    updatedAt: now,
    documents: [],
    recipients: [],
    fields: [],
  } as unknown as Envelope;
  await envelopes.create(envelope);
  made.push(envelope);
  return envelope;
};

/** The envelopes made here: their items are taken back at the end (they are due in an hour, and a test elsewhere waits for an empty outbox). */
const made: Envelope[] = [];
afterAll(async () => {
  for (const e of made) {
    await outbox.retireAll(await outbox.forEnvelope(e.tenantId, e.id));
    expect(await outbox.forEnvelope(e.tenantId, e.id)).toEqual([]);
  }
});

const effects = (n: number): Effect[] =>
  Array.from({ length: n }, (_, i) =>
    audit({ at: new Date().toISOString(), action: 'envelope.updated', actor: { type: 'system', id: 'test' }, data: { i } } as never),
  );

/** The next version of `before` with `n` owed effects, as commitTransition builds it. */
const next = (before: Envelope, n: number) => {
  const commitId = randomId(9);
  const after = { ...before, version: before.version + 1, commits: [...(before.commits ?? []), commitId] } as Envelope;
  // Due in an hour: the test server's outbox worker (which drains every due item) leaves them be meanwhile.
  const later = new Date(Date.now() + 3600_000).toISOString();
  return { after, items: outboxItemsFor(after, effects(n), commitId, new Date()).map((i) => ({ ...i, notBefore: later })) };
};

describe('committing an envelope with its owed effects (DynamoDB on the local endpoint)', () => {
  it('writes the envelope and its items together, and a stale commit writes nothing at all', async () => {
    const before = await newEnvelope();
    const won = next(before, 3);
    sent.length = 0;
    await envelopes.commit(won.after, won.items);
    expect(sent).toEqual(['TransactWriteCommand']); // one round trip
    expect((await envelopes.get(before.tenantId, before.id))?.version).toBe(2);
    expect((await outbox.forEnvelope(before.tenantId, before.id)).map((i) => i.id).sort()).toEqual(won.items.map((i) => i.id).sort());

    // Built on version 1 too: refused as a conflict, and none of its items are owed.
    const stale = next(before, 2);
    const refused = await envelopes.commit(stale.after, stale.items).catch((e) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('conflict');
    const owed = await outbox.forEnvelope(before.tenantId, before.id);
    expect(owed.map((i) => i.commitId)).not.toContain(stale.items[0]?.commitId);
    expect(owed).toHaveLength(3);
  });

  it('of two commits racing for one version, exactly one lands with its items', async () => {
    const before = await newEnvelope();
    const a = next(before, 2);
    const b = next(before, 2);
    const results = await Promise.allSettled([envelopes.commit(a.after, a.items), envelopes.commit(b.after, b.items)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = results[0]?.status === 'fulfilled' ? a : b;
    const stored = await envelopes.get(before.tenantId, before.id);
    expect(stored?.commits?.at(-1)).toBe(winner.items[0]?.commitId);
    expect(new Set((await outbox.forEnvelope(before.tenantId, before.id)).map((i) => i.commitId))).toEqual(
      new Set([winner.items[0]?.commitId]),
    );
  });

  it('a commit too big for one transaction (120 effects) still lands with every item', async () => {
    const before = await newEnvelope();
    const big = next(before, 120);
    sent.length = 0;
    await envelopes.commit(big.after, big.items);
    expect(sent).toEqual([...Array(5).fill('BatchWriteCommand'), 'PutCommand']); // the items in fives of 25, then the envelope
    expect((await envelopes.get(before.tenantId, before.id))?.version).toBe(2);
    expect(await outbox.forEnvelope(before.tenantId, before.id)).toHaveLength(120);
    // …and a stale one of that size is refused, its prepared items taken back.
    const stale = next(before, 120);
    await expect(envelopes.commit(stale.after, stale.items)).rejects.toMatchObject({ code: 'conflict' });
    expect(await outbox.forEnvelope(before.tenantId, before.id)).toHaveLength(120);
  });
});
