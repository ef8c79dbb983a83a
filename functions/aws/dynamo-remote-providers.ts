import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../shared/errors.js';
import type { RemoteProviderStore, StoredRemoteProvider } from '../../shared/remote/providers.js';
import { isConditionFailure, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 *   pk            sk                          item
 *   TENANT#t      REMOTE-PROVIDER#<id>        one of the tenant's remote-signing providers (id `default`: PUT /v1/remote-signing)
 *
 * The client secret is only ever here sealed (`sealedSecret`, shared/remote/providers.ts); every
 * key carries the tenant, so another tenant's provider id is simply not found.
 */
const PREFIX = 'REMOTE-PROVIDER#';
const key = (tenantId: string, id: string) => ({ pk: `TENANT#${tenantId}`, sk: `${PREFIX}${id}` });

export const dynamoRemoteProviderStore = ({ client, tableName }: TableOptions): RemoteProviderStore => ({
  async list(tenantId) {
    const out: StoredRemoteProvider[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':prefix': PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of r.Items ?? []) out.push(stripKeys<StoredRemoteProvider>(item) as StoredRemoteProvider);
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  },
  async get(tenantId, id) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: key(tenantId, id), ConsistentRead: true }));
    return stripKeys<StoredRemoteProvider>(r.Item);
  },
  async put(tenantId, provider, options = {}) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...key(tenantId, provider.id), ...provider },
          ...(options.replace ? {} : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new AppError('conflict', 'A remote-signing provider with this id exists.');
      throw e;
    }
  },
  async delete(tenantId, id) {
    try {
      await client.send(new DeleteCommand({ TableName: tableName, Key: key(tenantId, id), ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  },
});
