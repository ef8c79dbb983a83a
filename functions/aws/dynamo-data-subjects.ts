import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DataSubjectRequest, DataSubjectStore } from '../../shared/data-subjects/types.js';
import { AppError } from '../../shared/errors.js';
import { randomId } from '../../shared/util/bytes.js';
import { isConditionFailure, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 *   pk                 sk                             item
 *   TENANT#t           DSKEY                          the tenant's secret for subject commitments (made once)
 *   TENANT#t           DSR#<receivedAt>#<id>          one personal-data request (newest first by sort key)
 *   TENANT#t#ENV#e     AUDIT#…                        an audit event, replaced by its erased form (same hash)
 */
export const dynamoDataSubjects = ({ client, tableName }: TableOptions): DataSubjectStore => ({
  async subjectKey(tenantId) {
    const Key = { pk: `TENANT#${tenantId}`, sk: 'DSKEY' };
    const read = async () =>
      (await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item?.secret as string | undefined;
    const existing = await read();
    if (existing) return existing;
    try {
      const secret = randomId(32);
      await client.send(
        new PutCommand({ TableName: tableName, Item: { ...Key, secret }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return secret;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      // Another request made it first: theirs is the key.
      const theirs = await read();
      if (!theirs) throw new AppError('conflict', 'Could not read the subject key; try again.');
      return theirs;
    }
  },
  async putRequest(request) {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `TENANT#${request.tenantId}`, sk: `DSR#${request.receivedAt}#${request.id}`, ...request },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },
  async listRequests(tenantId, { limit, cursor }) {
    const r = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':p': 'DSR#' },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: { pk: `TENANT#${tenantId}`, sk: `DSR#${cursor}` } } : {}),
      }),
    );
    const last = r.LastEvaluatedKey?.sk as string | undefined;
    return {
      items: (r.Items ?? []).map((i) => stripKeys<DataSubjectRequest>(i) as DataSubjectRequest),
      ...(last ? { cursor: last.slice(4) } : {}),
    };
  },
  async eraseAuditEvent(tenantId, envelopeId, erased) {
    const Key = { pk: `TENANT#${tenantId}#ENV#${envelopeId}`, sk: `AUDIT#${String(erased.seq).padStart(10, '0')}` };
    const stored = (await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;
    if (!stored || stored.erasedAt) return false;
    try {
      // The whole item is replaced (nested personal keys go with it); only if nobody changed it since the read.
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...Key, ...erased, ...(stored.effectId ? { effectId: stored.effectId } : {}) },
          ConditionExpression: '#h = :h AND attribute_not_exists(erasedAt)',
          ExpressionAttributeNames: { '#h': 'hash' },
          ExpressionAttributeValues: { ':h': erased.hash },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  },
});
