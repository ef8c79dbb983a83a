import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_STALE_SECONDS, IDEMPOTENCY_TTL_SECONDS, type IdempotencyRecord, type IdempotencyStore } from '../api/idempotency.js';
import type { DocumentClient } from './dynamo-document-client.js';
import { isConditionFailure } from './dynamo-table.js';

/**
 * Idempotency records in the single table: pk IDEM#<sha256(scope, method, path, key)>, sk IDEM,
 * with `ttl` 24 h out (DynamoDB deletes expired items lazily, so expiry is also checked in the
 * claim's condition).
 */
export const dynamoIdempotencyStore = ({ client, tableName }: { client: DocumentClient; tableName: string }): IdempotencyStore => {
  const Key = (id: string) => ({ pk: `IDEM#${id}`, sk: 'IDEM' });
  return {
    async claim(id, requestHash, now) {
      const nowSec = Math.floor(now.getTime() / 1000);
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...Key(id), requestHash, lockedUntil: nowSec + IDEMPOTENCY_STALE_SECONDS, ttl: nowSec + IDEMPOTENCY_TTL_SECONDS },
            ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now OR (attribute_not_exists(#resp) AND lockedUntil < :now)',
            ExpressionAttributeNames: { '#ttl': 'ttl', '#resp': 'response' },
            ExpressionAttributeValues: { ':now': nowSec },
          }),
        );
        return undefined;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
      const r = await client.send(new GetCommand({ TableName: tableName, Key: Key(id), ConsistentRead: true }));
      // Deleted in between (released after a 5xx): report it as still running; the client retries.
      return (r.Item as IdempotencyRecord | undefined) ?? { requestHash };
    },
    async complete(id, response) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: Key(id),
          UpdateExpression: 'SET #resp = :r REMOVE lockedUntil',
          ExpressionAttributeNames: { '#resp': 'response' },
          ExpressionAttributeValues: { ':r': response },
        }),
      );
    },
    async release(id) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: Key(id) }));
    },
  };
};
