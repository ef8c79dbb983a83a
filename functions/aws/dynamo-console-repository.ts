import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  ApiKeyRecord,
  ConsoleRepository,
  ConsoleSession,
  ConsoleUser,
  ConsoleUserSummary,
  LoginChallenge,
  LoginCounter,
} from '../../shared/console/ports.js';
import { AppError } from '../../shared/errors.js';
import { isConditionFailure, isTransactionConditionFailure, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 * Console items in the single table (ADR 0002):
 *
 *   pk                 sk            item
 *   USER#<email>       USER          console user (scrypt password hash, role, sealed TOTP secret,
 *                                    last TOTP step, recovery-code hashes)
 *   TENANT#t           USER#<email>  the user's listing item (no secrets)
 *   LOGINTRY#<key>#<w> LOGINTRY      failed sign-in counter of one window (TTL), see shared/console/sign-in.ts
 *   CHALLENGE#<sha256> CHALLENGE     between password and TOTP (TTL, 5 tries)
 *   SESSION#<sha256>   SESSION       session (TTL) → user, tenant, CSRF token
 *   TENANT#t           APIKEY#<id>   API key listing item (label, prefix, hash); never the key
 *   APIKEY#<sha256>    APIKEY        the lookup item tenantAuth reads (same as admin-created keys)
 */
type Options = TableOptions;

const counterKey = (c: LoginCounter) => ({ pk: `LOGINTRY#${c.key}#${c.windowStart}`, sk: 'LOGINTRY' });

export const dynamoConsoleRepository = ({ client, tableName }: Options): ConsoleRepository => ({
  async createUser(user) {
    const summary: ConsoleUserSummary = {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role ?? 'admin',
      createdAt: user.createdAt,
      totpEnabled: false,
    };
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { pk: `USER#${user.email}`, sk: 'USER', ...user },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: tableName, Item: { pk: `TENANT#${user.tenantId}`, sk: `USER#${user.email}`, ...summary } } },
          ],
        }),
      );
    } catch (e) {
      if (isConditionFailure(e) || isTransactionConditionFailure(e))
        throw new AppError('conflict', 'A user with this email already exists.');
      throw e;
    }
  },
  async findUserByEmail(email) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `USER#${email}`, sk: 'USER' } }));
    return stripKeys<ConsoleUser>(r.Item);
  },
  async listUsers(tenantId) {
    const r = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :u)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':u': 'USER#' },
      }),
    );
    return (r.Items ?? []).map((i) => stripKeys<ConsoleUserSummary>(i) as ConsoleUserSummary);
  },
  async reserveLoginAttempt(counters) {
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: counters.map((c) => ({
            Update: {
              TableName: tableName,
              Key: counterKey(c),
              UpdateExpression: 'ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)',
              ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
              ExpressionAttributeNames: { '#n': 'attempts', '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':one': 1, ':limit': c.limit, ':ttl': c.windowStart + c.windowSeconds + 60 },
            },
          })),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e) || isTransactionConditionFailure(e)) return false;
      throw e;
    }
  },
  async releaseLoginAttempt(counters) {
    await Promise.all(
      counters.map((c) =>
        client
          .send(
            new UpdateCommand({
              TableName: tableName,
              Key: counterKey(c),
              UpdateExpression: 'ADD #n :minus',
              ConditionExpression: '#n > :zero',
              ExpressionAttributeNames: { '#n': 'attempts' },
              ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
            }),
          )
          .catch((e) => {
            if (!isConditionFailure(e)) throw e;
          }),
      ),
    );
  },
  async putChallenge(idHash, challenge) {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `CHALLENGE#${idHash}`,
          sk: 'CHALLENGE',
          ...challenge,
          tries: 0,
          ttl: Math.floor(Date.parse(challenge.expiresAt) / 1000) + 60,
        },
      }),
    );
  },
  async tryChallenge(idHash, maxTries) {
    try {
      const r = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `CHALLENGE#${idHash}`, sk: 'CHALLENGE' },
          UpdateExpression: 'ADD tries :one',
          ConditionExpression: 'attribute_exists(pk) AND tries < :max',
          ExpressionAttributeValues: { ':one': 1, ':max': maxTries },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const { tries: _t, ttl: _ttl, ...challenge } = stripKeys<LoginChallenge & { tries: number; ttl: number }>(r.Attributes) ?? {};
      return challenge as LoginChallenge;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  },
  async deleteChallenge(idHash) {
    await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: `CHALLENGE#${idHash}`, sk: 'CHALLENGE' } }));
  },
  async enableTotp(email, sealedSecret, recoveryHashes, step, at) {
    const user = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `USER#${email}`, sk: 'USER' } }));
    const tenantId = user.Item?.tenantId as string | undefined;
    if (!tenantId) throw new AppError('not_found', 'No such user.');
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: { pk: `USER#${email}`, sk: 'USER' },
              UpdateExpression: 'SET totpSecret = :s, totpEnrolledAt = :at, totpLastStep = :step, recoveryCodes = :codes',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: {
                ':s': sealedSecret,
                ':at': at,
                ':step': step,
                ':codes': Object.fromEntries(recoveryHashes.map((h) => [h, true])),
              },
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: { pk: `TENANT#${tenantId}`, sk: `USER#${email}` },
              UpdateExpression: 'SET totpEnabled = :t',
              ExpressionAttributeValues: { ':t': true },
            },
          },
        ],
      }),
    );
  },
  async useTotpStep(email, step) {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `USER#${email}`, sk: 'USER' },
          UpdateExpression: 'SET totpLastStep = :step',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(totpLastStep) OR totpLastStep < :step)',
          ExpressionAttributeValues: { ':step': step },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  },
  async useRecoveryCode(email, hash) {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `USER#${email}`, sk: 'USER' },
          UpdateExpression: 'REMOVE recoveryCodes.#h',
          ConditionExpression: 'attribute_exists(recoveryCodes.#h)',
          ExpressionAttributeNames: { '#h': hash },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
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
          {
            Put: {
              TableName: tableName,
              Item: {
                pk: `APIKEY#${record.keyHash}`,
                sk: 'APIKEY',
                tenantId: record.tenantId,
                ...(record.scopes ? { scopes: record.scopes } : {}),
              },
            },
          },
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
