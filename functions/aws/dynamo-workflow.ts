import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OpenEnvelopeIndex, SignerAuthState, SignerAuthStore } from '../../shared/envelope/ports.js';
import { AppError } from '../../shared/errors.js';
import { sha256Hex } from '../../shared/util/bytes.js';
import { isConditionFailure, type TableOptions } from './dynamo-table.js';

/**
 *   pk                         sk              item
 *   TENANT#t#ENV#e             SIGNERAUTH#r    one-time code / access code state of recipient r (versioned)
 *   OPEN#<0..7>                t#e             an envelope out for signing (scheduler sweeps)
 *
 * The open list is spread over 8 partitions (by hash) so sends and completions of many
 * tenants do not all write one hot key.
 */
type Options = TableOptions;

export const dynamoSignerAuthStore = ({ client, tableName }: Options): SignerAuthStore => ({
  async get(tenantId, envelopeId, recipientId) {
    const r = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: `TENANT#${tenantId}#ENV#${envelopeId}`, sk: `SIGNERAUTH#${recipientId}` },
        ConsistentRead: true,
      }),
    );
    if (!r.Item) return undefined;
    const { pk: _pk, sk: _sk, ...state } = r.Item;
    return state as SignerAuthState;
  },
  async put(state) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `TENANT#${state.tenantId}#ENV#${state.envelopeId}`, sk: `SIGNERAUTH#${state.recipientId}`, ...state },
          ConditionExpression: state.version === 1 ? 'attribute_not_exists(pk)' : '#v = :expected',
          ...(state.version === 1
            ? {}
            : { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':expected': state.version - 1 } }),
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new AppError('conflict', 'Another verification attempt happened at the same time; try again.');
      throw e;
    }
  },
});

const SHARDS = 8;
/** Which of the 8 partitions of a sweep list (OPEN#n, ARCHIVE#n) an envelope lives in. */
export const shardOf = (tenantId: string, envelopeId: string) =>
  Number.parseInt(sha256Hex(`${tenantId}#${envelopeId}`).slice(0, 2), 16) % SHARDS;

export const dynamoOpenEnvelopeIndex = ({ client, tableName }: Options): OpenEnvelopeIndex => ({
  async add(tenantId, envelopeId) {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `OPEN#${shardOf(tenantId, envelopeId)}`, sk: `${tenantId}#${envelopeId}`, tenantId, envelopeId },
      }),
    );
  },
  async remove(tenantId, envelopeId) {
    await client.send(
      new DeleteCommand({ TableName: tableName, Key: { pk: `OPEN#${shardOf(tenantId, envelopeId)}`, sk: `${tenantId}#${envelopeId}` } }),
    );
  },
  /** Cursor: "<shard>" or "<shard>:<last sk>". */
  async list(cursor) {
    const [shardText, last] = cursor ? [cursor.split(':')[0], cursor.slice(cursor.indexOf(':') + 1)] : ['0', ''];
    const shard = Number(shardText);
    const r = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `OPEN#${shard}` },
        Limit: 100,
        ...(cursor?.includes(':') && last ? { ExclusiveStartKey: { pk: `OPEN#${shard}`, sk: last } } : {}),
      }),
    );
    const items = (r.Items ?? []).map((i) => ({ tenantId: i.tenantId as string, envelopeId: i.envelopeId as string }));
    const lastKey = r.LastEvaluatedKey?.sk as string | undefined;
    const next = lastKey ? `${shard}:${lastKey}` : shard + 1 < SHARDS ? String(shard + 1) : undefined;
    return { items, ...(next ? { cursor: next } : {}) };
  },
});
