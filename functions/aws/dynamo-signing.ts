import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../shared/errors.js';
import type { SigningSession, SigningSessionStore } from '../../shared/signing/ports.js';
import { isConditionFailure, type TableOptions } from './dynamo-table.js';

/**
 *   pk                     sk                    item
 *   TENANT#t#ENV#e         SIGNSESSION#<id>      two-phase signing session (TTL: expiry + 1 day)
 *
 * Sessions survive a restart (they are stored), expire on their own `expiresAt` (checked on
 * read; DynamoDB's TTL only cleans up later), and change only by conditional writes on
 * `version`, which is what makes them single-use.
 */
type Options = TableOptions;

const sessionKey = (tenantId: string, envelopeId: string, id: string) => ({
  pk: `TENANT#${tenantId}#ENV#${envelopeId}`,
  sk: `SIGNSESSION#${id}`,
});

const item = (s: SigningSession) => ({
  ...sessionKey(s.tenantId, s.envelopeId, s.id),
  ...s,
  ttl: Math.floor(Date.parse(s.expiresAt) / 1000) + 86400,
});

export const dynamoSigningSessionStore = ({ client, tableName }: Options): SigningSessionStore => ({
  async create(session) {
    await client.send(new PutCommand({ TableName: tableName, Item: item(session), ConditionExpression: 'attribute_not_exists(pk)' }));
  },
  async get(tenantId, envelopeId, id) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: sessionKey(tenantId, envelopeId, id), ConsistentRead: true }));
    if (!r.Item) return undefined;
    const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = r.Item;
    return rest as SigningSession;
  },
  async update(next) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: item(next),
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':expected': next.version - 1 },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new AppError('conflict', 'The signing session was changed by another request.');
      throw e;
    }
  },
});
