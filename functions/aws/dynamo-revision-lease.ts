import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RevisionLeaseStore } from '../../shared/envelope/ports.js';
import { isConditionFailure, type TableOptions } from './dynamo-table.js';

/**
 * The revision lease of an envelope in the single table (ADR 0002), in the envelope's own
 * partition (beside its audit events):
 *
 *   pk               sk               item
 *   TENANT#t#ENV#e   LEASE#REVISION   { owner, until, ttl }   who builds the next signer revision, until when
 *
 * Taken with a conditional put (free, or expired), given back with a conditional delete (only
 * by its owner). `ttl` lets DynamoDB remove a lease left behind by a holder that died.
 */
const key = (tenantId: string, envelopeId: string) => ({ pk: `TENANT#${tenantId}#ENV#${envelopeId}`, sk: 'LEASE#REVISION' });

export const dynamoRevisionLeases = ({ client, tableName }: TableOptions): RevisionLeaseStore => ({
  async acquire(tenantId, envelopeId, owner, now, until) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...key(tenantId, envelopeId), owner, until: until.toISOString(), ttl: Math.floor(until.getTime() / 1000) + 3600 },
          ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  },
  async renew(tenantId, envelopeId, owner, until) {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(tenantId, envelopeId),
          UpdateExpression: 'SET #until = :until, #ttl = :ttl',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#until': 'until', '#ttl': 'ttl', '#owner': 'owner' },
          ExpressionAttributeValues: { ':until': until.toISOString(), ':ttl': Math.floor(until.getTime() / 1000) + 3600, ':owner': owner },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  },
  async release(tenantId, envelopeId, owner) {
    try {
      await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: key(tenantId, envelopeId),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  },
});
