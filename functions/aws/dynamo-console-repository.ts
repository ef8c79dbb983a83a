import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  ApiKeyRecord,
  ConsoleRepository,
  ConsoleSession,
  ConsoleUser,
  ConsoleUserSummary,
  LoginChallenge,
  LoginCounter,
  UserChange,
  UserChangeEvent,
} from '../../shared/console/ports.js';
import { AppError } from '../../shared/errors.js';
import { randomId } from '../../shared/util/bytes.js';
import { isConditionFailure, isTransactionConditionFailure, isTransactionConflict, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 * Console items in the single table (ADR 0002):
 *
 *   pk                 sk            item
 *   USER#<email>       USER          console user (scrypt password hash, role, sealed TOTP secret,
 *                                    last TOTP step, recovery-code hashes)
 *   TENANT#t           USER#<email>  the user's listing item (no secrets)
 *   TENANT#t           USERCHANGE#<at>#<rand>  who changed which user how (role, disable, 2FA reset, …)
 *   LOGINTRY#<key>#<w> LOGINTRY      failed sign-in counter of one window (TTL), see shared/console/sign-in.ts
 *   CHALLENGE#<sha256> CHALLENGE     between password and TOTP (TTL, 5 tries)
 *   SESSION#<sha256>   SESSION       session (TTL) → user, tenant, CSRF token
 *   TENANT#t           APIKEY#<id>   API key listing item (label, prefix, hash); never the key
 *   APIKEY#<sha256>    APIKEY        the lookup item tenantAuth reads (same as admin-created keys)
 */
type Options = TableOptions;

const counterKey = (c: LoginCounter) => ({ pk: `LOGINTRY#${c.key}`, sk: 'LOGINTRY' });
/** Rounds of read-then-conditional-write before a contended reservation is refused (fails closed). */
const RESERVE_ROUNDS = 6;

/** A user change's event item, written in the change's own transaction. */
const changeItem = (tableName: string, tenantId: string, event: UserChangeEvent) => ({
  Put: { TableName: tableName, Item: { pk: `TENANT#${tenantId}`, sk: `USERCHANGE#${event.at}#${randomId(6)}`, ...event } },
});

/** SET/REMOVE clauses with only the placeholders they use (DynamoDB refuses unused values). */
const updateOf = (set: Record<string, unknown>, remove: readonly string[]) => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(set).map(([k, v], i) => {
    names[`#s${i}`] = k;
    values[`:s${i}`] = v;
    return `#s${i} = :s${i}`;
  });
  const removes = remove.map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].join(' ').trim();
  return { UpdateExpression: expression, ExpressionAttributeNames: names, ...(sets.length ? { ExpressionAttributeValues: values } : {}) };
};

/** The attributes one UserChange sets and removes on the user item and on its listing item. */
const changeAttributes = (change: UserChange) => {
  const who = { updatedAt: change.at, updatedBy: change.by };
  const user: Record<string, unknown> = { ...who };
  const listing: Record<string, unknown> = { ...who };
  const userRemove: string[] = [];
  const listingRemove: string[] = [];
  if (change.role) user.role = listing.role = change.role;
  if (change.disabled === true) user.disabled = listing.disabled = true;
  if (change.disabled === false) {
    userRemove.push('disabled');
    listingRemove.push('disabled');
  }
  if (change.sessionsNotBefore) user.sessionsNotBefore = change.sessionsNotBefore;
  if (change.removeTotp) {
    userRemove.push('totpSecret', 'totpEnrolledAt', 'totpLastStep', 'recoveryCodes');
    if (change.removeTotp.required) user.totpRequired = true;
    else userRemove.push('totpRequired');
    listing.totpEnabled = false;
  }
  if (change.recoveryHashes) user.recoveryCodes = Object.fromEntries(change.recoveryHashes.map((h) => [h, true]));
  if (change.passwordHash) user.passwordHash = change.passwordHash;
  return { user: updateOf(user, userRemove), listing: updateOf(listing, listingRemove) };
};

export const dynamoConsoleRepository = ({ client, tableName }: Options): ConsoleRepository => {
  /**
   * One place in one counter: add one to its live window if under the limit; else, if no window
   * is live, open one at this attempt. A write that loses to a concurrent one looks again (at
   * most RESERVE_ROUNDS times, then refuses: fail closed). The window opens with the first
   * attempt it counts: fixed clock windows let a burst across a quarter hour take twice the limit.
   */
  const takePlace = async (c: LoginCounter): Promise<boolean> => {
    const Key = counterKey(c);
    for (let round = 0; round < RESERVE_ROUNDS; round++) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key,
            UpdateExpression: 'ADD #n :one',
            ConditionExpression: '#r > :now AND #n < :limit',
            ExpressionAttributeNames: { '#n': 'attempts', '#r': 'resetAt' },
            ExpressionAttributeValues: { ':one': 1, ':now': c.at, ':limit': c.limit },
          }),
        );
        return true;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
      const r = await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
      const w = r.Item as { attempts?: number; resetAt?: number } | undefined;
      if (w?.resetAt !== undefined && w.resetAt > c.at) {
        if ((w.attempts ?? 0) >= c.limit) return false;
        continue; // a window opened or a place was given back meanwhile: try again
      }
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key,
            UpdateExpression: 'SET #n = :one, #r = :reset, #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(#r) OR #r <= :now',
            ExpressionAttributeNames: { '#n': 'attempts', '#r': 'resetAt', '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':reset': c.at + c.windowSeconds, ':ttl': c.at + c.windowSeconds + 60, ':now': c.at },
          }),
        );
        return true;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    }
    return false;
  };
  const repo: ConsoleRepository = {
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
              changeItem(tableName, user.tenantId, {
                at: user.createdAt,
                by: user.createdBy ?? 'operator',
                userId: user.id,
                action: 'create',
                role: summary.role,
              }),
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
    /**
     * Each counter is one item {attempts, resetAt}, taken one after the other with single-item
     * conditional updates (atomic on DynamoDB; moto copies the whole table for every transaction,
     * which under a 61-request burst in a full test run took longer than the SDK's timeout). A
     * counter that is full gives back the places already taken, so an attempt counts in all three
     * or none (a crash in between over-counts, the safe side).
     */
    async reserveLoginAttempt(counters) {
      const taken: LoginCounter[] = [];
      for (const c of counters) {
        if (await takePlace(c)) {
          taken.push(c);
          continue;
        }
        if (taken.length) await repo.releaseLoginAttempt(taken);
        return false;
      }
      return true;
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
                UpdateExpression:
                  'SET totpSecret = :s, totpEnrolledAt = :at, totpLastStep = :step, recoveryCodes = :codes REMOVE totpRequired',
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
            changeItem(tableName, tenantId, { at, by: String(user.Item?.id), userId: String(user.Item?.id), action: 'totp-on' }),
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
    async updateUser(user, change, keepAdmin) {
      const { user: onUser, listing } = changeAttributes(change);
      const event: UserChangeEvent = {
        at: change.at,
        by: change.by,
        userId: user.id,
        action: change.action,
        ...(change.role ? { role: change.role } : {}),
      };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: `USER#${user.email}`, sk: 'USER' },
                  ...onUser,
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              { Update: { TableName: tableName, Key: { pk: `TENANT#${user.tenantId}`, sk: `USER#${user.email}` }, ...listing } },
              changeItem(tableName, user.tenantId, event),
              ...(keepAdmin
                ? [
                    {
                      ConditionCheck: {
                        TableName: tableName,
                        Key: { pk: `USER#${keepAdmin}`, sk: 'USER' },
                        // Users made before roles are admins.
                        ConditionExpression:
                          'tenantId = :t AND (#role = :admin OR attribute_not_exists(#role)) AND attribute_not_exists(disabled)',
                        ExpressionAttributeNames: { '#role': 'role' },
                        ExpressionAttributeValues: { ':t': user.tenantId, ':admin': 'admin' },
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
        return true;
      } catch (e) {
        // A concurrent transaction on the same items (two admins at once) is reported like a failed condition: the caller re-reads.
        if (isConditionFailure(e) || isTransactionConditionFailure(e) || isTransactionConflict(e)) return false;
        throw e;
      }
    },
    async listUserChanges(tenantId, limit) {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':c': 'USERCHANGE#' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (r.Items ?? []).map((i) => stripKeys<UserChangeEvent>(i) as UserChangeEvent);
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
  };
  return repo;
};
