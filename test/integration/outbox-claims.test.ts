import { afterAll, describe, expect, it } from 'vitest';
import { dynamoOutbox } from '../../functions/aws/dynamo-outbox.js';
import { audit, type OutboxItem } from '../../shared/envelope/effects.js';
import { outboxItemsFor } from '../../shared/envelope/transition.js';
import type { Envelope } from '../../shared/envelope/types.js';
import { randomId } from '../../shared/util/bytes.js';
import { localDynamo, TEST_TABLE } from '../support/aws.js';

/**
 * A drain claims an envelope's items in one write, all or none, each only as it was read
 * (functions/aws/dynamo-outbox.ts, claimAll), and gives back what it did not perform (release):
 * on the real local endpoint. The items are due in an hour and claimed "two hours from now", so the
 * test server's worker (which drains what is due now) leaves them be.
 */
const outbox = dynamoOutbox({ client: localDynamo(), tableName: TEST_TABLE });
const HOUR = 3600_000;
const made: OutboxItem[][] = [];
afterAll(async () => {
  for (const items of made) await outbox.retireAll(items);
});

const owedItems = async (n: number): Promise<OutboxItem[]> => {
  const envelope = { id: randomId(9), tenantId: `claims-${randomId(6)}`, version: 2 } as Envelope;
  const effects = Array.from({ length: n }, (_, i) =>
    audit({ at: new Date().toISOString(), action: 'envelope.updated', actor: { type: 'system', id: 'test' }, data: { i } } as never),
  );
  const later = new Date(Date.now() + HOUR).toISOString();
  const items = outboxItemsFor(envelope, effects, randomId(9), new Date()).map((i) => ({ ...i, notBefore: later }));
  await outbox.prepare(items);
  made.push(items);
  return items;
};
const stored = async (items: readonly OutboxItem[]) => {
  const all = await outbox.forEnvelope((items[0] as OutboxItem).tenantId, (items[0] as OutboxItem).envelopeId);
  return items.map((i) => all.find((s) => s.id === i.id));
};

describe('claiming an envelope’s owed items together (DynamoDB on the local endpoint)', () => {
  it('takes every item as read in one write, and none once one of them changed since it was read', async () => {
    const items = await owedItems(3);
    const now = new Date(Date.now() + 2 * HOUR);
    const claimed = await outbox.claimAll(items, now, 60_000);
    const until = new Date(now.getTime() + 60_000).toISOString();
    expect(claimed?.map((c) => [c.id, c.notBefore])).toEqual(items.map((i) => [i.id, until]));
    expect((await stored(items)).map((s) => s?.notBefore)).toEqual([until, until, until]);
    // The same reads again: claimed since (notBefore moved), so nothing is taken, not even the others.
    expect(await outbox.claimAll(items, new Date(now.getTime() + 120_000), 60_000)).toBeUndefined();

    // Given back: due again as read; a release with a claim that is no longer the holder's changes nothing.
    await outbox.release(claimed?.[0] as OutboxItem, (items[0] as OutboxItem).notBefore);
    expect((await stored(items)).map((s) => s?.notBefore)).toEqual([(items[0] as OutboxItem).notBefore, until, until]);
    await outbox.release({ ...(items[1] as OutboxItem), notBefore: 'someone else’s claim' }, (items[1] as OutboxItem).notBefore);
    expect((await stored(items))[1]?.notBefore).toBe(until);
  });

  it('takes none if SES’s MessageId, a sending or a sent mark was recorded on one since it was read, or if one is not due yet', async () => {
    const items = await owedItems(2);
    const now = new Date(Date.now() + 2 * HOUR);
    const ref = outbox.refOf(items[1] as OutboxItem) as string;
    expect(await outbox.markEmailAccepted(ref, 'ses-message-1', new Date())).toBe(true);
    expect(await outbox.claimAll(items, now, 60_000)).toBeUndefined();
    expect((await stored(items)).map((s) => s?.notBefore)).toEqual(items.map((i) => i.notBefore));
    // Read again (with the MessageId), it is taken.
    const fresh = (await stored(items)) as OutboxItem[];
    expect((await outbox.claimAll(fresh, now, 60_000))?.length).toBe(2);

    // A worker whose claim ran out may still mark the item sending, or sent: read before that, nothing is taken.
    const marked = await owedItems(2);
    await outbox.markSending(marked[0] as OutboxItem, new Date());
    expect(await outbox.claimAll(marked, now, 60_000)).toBeUndefined();
    const sending = (await stored(marked)) as OutboxItem[];
    expect(sending[0]?.sendingAt).toBeDefined();
    await outbox.markSent(sending[1] as OutboxItem, 'sms', new Date());
    expect(await outbox.claimAll(sending, now, 60_000)).toBeUndefined();
    expect((await outbox.claimAll((await stored(marked)) as OutboxItem[], now, 60_000))?.length).toBe(2);

    const notYet = await owedItems(2);
    expect(await outbox.claimAll(notYet, new Date(), 60_000)).toBeUndefined();
  });
});
