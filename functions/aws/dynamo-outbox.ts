import { BatchWriteCommand, DeleteCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxItem } from '../../shared/envelope/effects.js';
import { MAX_COMMITTED_WRITES, type OutboxStore } from '../../shared/envelope/ports.js';
import { isConditionFailure, isTransactionConditionFailure, isTransactionConflict, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 * The outbox in the single table (ADR 0002):
 *
 *   pk            sk                                       item
 *   OUTBOX#<0-7>  <tenant>#<envelope>#<version:8>#<index:3>#<commit>  one owed effect (shared/envelope/effects.ts)
 *
 * An envelope's items share one shard (a hash of its id), so its owed effects are one query
 * in (version, index) order, and "everything owed" is eight queries (the worker and sweep).
 */
export const OUTBOX_SHARDS = 8;

const shardOf = (envelopeId: string): number => {
  let h = 0;
  for (const ch of envelopeId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % OUTBOX_SHARDS;
};

/** The commit id is part of the key: two requests racing for one version prepare different items, and the loser deletes only its own. */
export const outboxKey = (i: Pick<OutboxItem, 'tenantId' | 'envelopeId' | 'version' | 'index' | 'commitId'>) => ({
  pk: `OUTBOX#${shardOf(i.envelopeId)}`,
  sk: `${i.tenantId}#${i.envelopeId}#${String(i.version).padStart(8, '0')}#${String(i.index).padStart(3, '0')}#${i.commitId}`,
});

/** SES message tag values: letters, digits, `-` and `_`, at most 256 characters (base64url fits). */
const MAX_TAG_VALUE = 256;

/** The item's key from its reference (base64url of its sort key), or undefined if it is not one. */
export const keyOfRef = (ref: string): { pk: string; sk: string } | undefined => {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(ref)) return undefined;
  const sk = Buffer.from(ref, 'base64url').toString('utf8');
  // <tenant>#<envelope>#<version:8>#<index:3>#<commit>: read from the right (a tenant id could hold a '#').
  const parts = sk.split('#');
  if (parts.length < 5) return undefined;
  const [envelopeId, version, index, commitId] = parts.slice(-4) as [string, string, string, string];
  const tenantId = parts.slice(0, -4).join('#');
  if (!tenantId || !envelopeId || !/^\d{8}$/.test(version) || !/^\d{3}$/.test(index) || !commitId) return undefined;
  return outboxKey({ tenantId, envelopeId, version: Number(version), index: Number(index), commitId });
};

export const dynamoOutbox = ({ client, tableName }: TableOptions): OutboxStore => {
  const query = async (pk: string, extra: Record<string, unknown>, limit: number): Promise<OutboxItem[]> => {
    const out: OutboxItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          ConsistentRead: true,
          ...extra,
          ExpressionAttributeValues: { ':pk': pk, ...((extra.ExpressionAttributeValues as Record<string, unknown>) ?? {}) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        } as ConstructorParameters<typeof QueryCommand>[0]),
      );
      for (const i of r.Items ?? []) out.push(stripKeys<OutboxItem>(i) as OutboxItem);
      start = r.LastEvaluatedKey;
    } while (start && out.length < limit);
    return out.slice(0, limit);
  };
  const everyShard = async (filter: string, values: Record<string, unknown>, limit: number) => {
    const shards = await Promise.all(
      Array.from({ length: OUTBOX_SHARDS }, (_, s) =>
        // Pages of `limit` items read, not 1 MB: a shard holds a bulk send's whole backlog, and a pass needs `limit` items.
        query(
          `OUTBOX#${s}`,
          { KeyConditionExpression: 'pk = :pk', FilterExpression: filter, ExpressionAttributeValues: values, Limit: limit },
          limit,
        ),
      ),
    );
    return shards
      .flat()
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.index - b.index))
      .slice(0, limit);
  };
  /**
   * An update of an item that may be gone meanwhile (retired by another worker), or no longer as
   * `condition` says: then nothing to do.
   */
  const updateIfThere = async (
    item: OutboxItem,
    expression: string,
    values: Record<string, unknown>,
    condition = 'attribute_exists(pk)',
  ): Promise<void> => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: outboxKey(item),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  };
  return {
    async prepare(items) {
      for (let i = 0; i < items.length; i += 25) {
        let requests: Record<string, unknown>[] = items
          .slice(i, i + 25)
          .map((item) => ({ PutRequest: { Item: { ...outboxKey(item), ...item } } }));
        // Unprocessed writes (throttling) are retried a few times, then it is a failure of the commit.
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt === 5) throw new Error('outbox items could not be written');
          const r = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }));
          requests = (r.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
          if (requests.length) await new Promise((res) => setTimeout(res, 50 * 2 ** attempt));
        }
      }
    },
    forEnvelope(tenantId, envelopeId) {
      const { pk } = outboxKey({ tenantId, envelopeId, version: 0, index: 0, commitId: '' });
      return query(
        pk,
        { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':p': `${tenantId}#${envelopeId}#` } },
        1000,
      );
    },
    due(now, limit) {
      return everyShard('notBefore <= :now', { ':now': now.toISOString() }, limit);
    },
    olderThan(cutoff, limit) {
      return everyShard('createdAt < :cutoff', { ':cutoff': cutoff.toISOString() }, limit);
    },
    async claim(item, now, leaseMs) {
      try {
        const r = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: outboxKey(item),
            UpdateExpression: 'SET notBefore = :until',
            ConditionExpression: 'attribute_exists(pk) AND notBefore <= :now',
            ExpressionAttributeValues: { ':until': new Date(now.getTime() + leaseMs).toISOString(), ':now': now.toISOString() },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return stripKeys<OutboxItem>(r.Attributes);
      } catch (e) {
        if (isConditionFailure(e)) return undefined;
        throw e;
      }
    },
    async claimAll(items, now, leaseMs) {
      if (items.length > MAX_COMMITTED_WRITES) return undefined;
      const until = new Date(now.getTime() + leaseMs).toISOString();
      // As read, for every attribute a performer acts on: `attr = :v` if it was there, else not there.
      const asRead = (item: OutboxItem) => {
        const seen = { emailMessageId: item.emailMessageId, sentAt: item.sentAt, sendingAt: item.sendingAt };
        return {
          condition: Object.entries(seen)
            .map(([name, value]) => (value === undefined ? `attribute_not_exists(${name})` : `${name} = :${name}`))
            .join(' AND '),
          values: Object.fromEntries(Object.entries(seen).flatMap(([name, value]) => (value === undefined ? [] : [[`:${name}`, value]]))),
        };
      };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: items.map((item) => {
              const seen = asRead(item);
              return {
                Update: {
                  TableName: tableName,
                  Key: outboxKey(item),
                  UpdateExpression: 'SET notBefore = :until',
                  // Not claimed or postponed since (each changes notBefore); no MessageId, sent or sending mark recorded
                  // since (a worker whose claim ran out may still be at work on it: the items are read again, one by one).
                  ConditionExpression: `notBefore = :seen AND notBefore <= :now AND ${seen.condition}`,
                  ExpressionAttributeValues: { ':until': until, ':seen': item.notBefore, ':now': now.toISOString(), ...seen.values },
                },
              };
            }),
          }),
        );
      } catch (e) {
        if (isTransactionConditionFailure(e) || isTransactionConflict(e)) return undefined;
        throw e;
      }
      return items.map((item) => ({ ...item, notBefore: until }));
    },
    // Only if the claim is still this one (notBefore moved: another worker's, or retired).
    release: (claimed, notBefore) =>
      updateIfThere(claimed, 'SET notBefore = :nb', { ':nb': notBefore, ':mine': claimed.notBefore }, 'notBefore = :mine'),
    async retire(item) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: outboxKey(item) }));
    },
    async retireAll(items) {
      for (let i = 0; i < items.length; i += 25) {
        let requests: Record<string, unknown>[] = items.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: outboxKey(item) } }));
        // Unprocessed deletes are retried a few times; what stays is retired by the worker (it finds the effect done).
        for (let attempt = 0; requests.length > 0 && attempt < 5; attempt++) {
          if (attempt > 0) await new Promise((res) => setTimeout(res, 50 * 2 ** attempt));
          const r = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }));
          requests = (r.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
        }
      }
    },
    markSent: (item, channels, at) =>
      updateIfThere(item, 'SET sentAt = :at, sentChannels = :c', { ':at': at.toISOString(), ':c': channels }),
    markSending: (item, at) =>
      at ? updateIfThere(item, 'SET sendingAt = :at', { ':at': at.toISOString() }) : updateIfThere(item, 'REMOVE sendingAt', {}),
    refOf(item) {
      const ref = Buffer.from(outboxKey(item).sk, 'utf8').toString('base64url');
      return ref.length <= MAX_TAG_VALUE ? ref : undefined;
    },
    async markEmailAccepted(ref, messageId, at) {
      const key = keyOfRef(ref);
      if (!key) return false;
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET emailMessageId = :m, emailAcceptedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':m': messageId, ':at': at.toISOString() },
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },
    postpone: (item, notBefore, error) =>
      updateIfThere(item, 'SET notBefore = :nb, lastError = :e ADD attempts :one', {
        ':nb': notBefore.toISOString(),
        ':e': error.slice(0, 300),
        ':one': 1,
      }),
  };
};
