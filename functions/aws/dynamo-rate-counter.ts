import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateCounter } from '../api/rate-limit.js';
import type { DocumentClient } from './dynamo-document-client.js';

/**
 * Rate-limit windows in the single table: pk RATE#<key>#<window start>, one atomic ADD per
 * request (concurrent Lambdas share the count), expired by TTL after the window.
 */
export const dynamoRateCounter = ({ client, tableName }: { client: DocumentClient; tableName: string }): RateCounter => ({
  async hit(key, windowStart, windowSeconds) {
    const r = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `RATE#${key}#${windowStart}`, sk: 'RATE' },
        UpdateExpression: 'ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#n': 'hits', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': windowStart + windowSeconds + 60 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(r.Attributes?.hits ?? 1);
  },
});
