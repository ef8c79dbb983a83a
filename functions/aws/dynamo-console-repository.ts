import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord, ConsoleRepository, ConsoleSession, ConsoleUser } from '../../shared/console/ports.js';
import { AppError } from '../../shared/errors.js';
import { isConditionFailure, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 * Console items in the single table (ADR 0002):
 *
 *   pk                 sk            item
 *   USER#<email>       USER          console user (scrypt password hash)
 *   SESSION#<sha256>   SESSION       session (TTL) → user, tenant, CSRF token
 *   TENANT#t           APIKEY#<id>   API key listing item (label, prefix, hash); never the key
 *   APIKEY#<sha256>    APIKEY        the lookup item tenantAuth reads (same as admin-created keys)
 */
type Options = TableOptions;

export const dynamoConsoleRepository = ({ client, tableName }: Options): ConsoleRepository => ({
  async createUser(user) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `USER#${user.email}`, sk: 'USER', ...user },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new AppError('conflict', 'A user with this email already exists.');
      throw e;
    }
  },
  async findUserByEmail(email) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `USER#${email}`, sk: 'USER' } }));
    return stripKeys<ConsoleUser>(r.Item);
  },
  async noteLoginFailure(email) {
    const r = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `USER#${email}`, sk: 'USER' },
        UpdateExpression: 'ADD failedLogins :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(r.Attributes?.failedLogins ?? 0);
  },
  async resetLoginFailures(email, lockedUntil) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `USER#${email}`, sk: 'USER' },
        UpdateExpression: lockedUntil ? 'SET failedLogins = :zero, lockedUntil = :until' : 'SET failedLogins = :zero REMOVE lockedUntil',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':zero': 0, ...(lockedUntil ? { ':until': lockedUntil } : {}) },
      }),
    );
  },
  async putSession(idHash, session) {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `SESSION#${idHash}`, sk: 'SESSION', ...session, ttl: Math.floor(Date.parse(session.expiresAt) / 1000) },
      }),
    );
  },
  async getSession(idHash) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `SESSION#${idHash}`, sk: 'SESSION' } }));
    return stripKeys<ConsoleSession>(r.Item);
  },
  async deleteSession(idHash) {
    await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: `SESSION#${idHash}`, sk: 'SESSION' } }));
  },
  async putApiKey(record) {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { pk: `TENANT#${record.tenantId}`, sk: `APIKEY#${record.id}`, ...record } } },
          { Put: { TableName: tableName, Item: { pk: `APIKEY#${record.keyHash}`, sk: 'APIKEY', tenantId: record.tenantId } } },
        ],
      }),
    );
  },
  async listApiKeys(tenantId) {
    const r = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :k)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':k': 'APIKEY#' },
      }),
    );
    return (r.Items ?? []).map((i) => stripKeys<ApiKeyRecord>(i) as ApiKeyRecord);
  },
  async revokeApiKey(tenantId, id) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `APIKEY#${id}` } }));
    const record = stripKeys<ApiKeyRecord>(r.Item);
    if (!record) return false;
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: tableName, Key: { pk: `APIKEY#${record.keyHash}`, sk: 'APIKEY' } } },
          { Delete: { TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `APIKEY#${id}` } } },
        ],
      }),
    );
    return true;
  },
});
