import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ArchiveIndex } from '../../shared/retention/ports.js';
import type { TableOptions } from './dynamo-table.js';
import { shardOf } from './dynamo-workflow.js';

const SHARDS = 8;

/**
 * Completed envelopes by renewal date: `ARCHIVE#<0..7>` / `<renewBy>#<tenant>#<envelope>`, so the
 * sweep reads only what is due (a key condition `sk <= :until`), not every archived envelope.
 * Written at completion with renewBy = completion time (archive not done yet: due at once),
 * then moved by every archive run to the real date.
 */
export const dynamoArchiveIndex = ({ client, tableName }: TableOptions): ArchiveIndex => {
  const key = (tenantId: string, envelopeId: string, renewBy: string) => ({
    pk: `ARCHIVE#${shardOf(tenantId, envelopeId)}`,
    sk: `${renewBy}#${tenantId}#${envelopeId}`,
  });
  return {
    async put(entry, previousRenewBy) {
      await client.send(
        new PutCommand({ TableName: tableName, Item: { ...key(entry.tenantId, entry.envelopeId, entry.renewBy), ...entry } }),
      );
      if (previousRenewBy && previousRenewBy !== entry.renewBy) {
        await client.send(new DeleteCommand({ TableName: tableName, Key: key(entry.tenantId, entry.envelopeId, previousRenewBy) }));
      }
    },
    async remove(entry) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: key(entry.tenantId, entry.envelopeId, entry.renewBy) }));
    },
    /** Cursor: "<shard>" or "<shard>:<last sk>". */
    async due(until, cursor) {
      const [shardText, last] = cursor ? [cursor.split(':')[0], cursor.slice(cursor.indexOf(':') + 1)] : ['0', ''];
      const shard = Number(shardText);
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk <= :until',
          ExpressionAttributeValues: { ':pk': `ARCHIVE#${shard}`, ':until': `${until.toISOString()}#~` },
          Limit: 100,
          ...(cursor?.includes(':') && last ? { ExclusiveStartKey: { pk: `ARCHIVE#${shard}`, sk: last } } : {}),
        }),
      );
      const items = (r.Items ?? []).map((i) => ({
        tenantId: i.tenantId as string,
        envelopeId: i.envelopeId as string,
        renewBy: i.renewBy as string,
      }));
      const lastKey = r.LastEvaluatedKey?.sk as string | undefined;
      const next = lastKey ? `${shard}:${lastKey}` : shard + 1 < SHARDS ? String(shard + 1) : undefined;
      return { items, ...(next ? { cursor: next } : {}) };
    },
  };
};
