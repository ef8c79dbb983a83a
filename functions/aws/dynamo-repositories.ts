import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { chainEvent } from '../../shared/audit/chain.js';
import type { Scope } from '../../shared/console/roles.js';
import {
  type AuditRepository,
  type EnvelopeRepository,
  MAX_COMMITTED_WRITES,
  type TenantRepository,
  type TokenRepository,
} from '../../shared/envelope/ports.js';
import type { AuditEvent, Envelope, SigningGrant, Tenant } from '../../shared/envelope/types.js';
import { AppError } from '../../shared/errors.js';
import { forgetInRequest, memoInRequest } from '../request-scope.js';
import { dynamoOutbox, outboxKey } from './dynamo-outbox.js';
import { isConditionFailure, isTransactionConditionFailure, isTransactionConflict, stripKeys, type TableOptions } from './dynamo-table.js';
import { sharedRead, writing } from './shared-reads.js';

/**
 * Single-table design (ADR 0002). Every tenant-owned key starts with TENANT#<id>, so a
 * query can only ever see one tenant's items; lookups by token or API key hash go to their
 * own partitions and return the tenant id, never another tenant's data.
 *
 *   pk                         sk              item
 *   TENANT#t                   TENANT          tenant
 *   TENANT#t                   ENV#e           envelope (recipients, documents, fields inside)
 *   TENANT#t#ENV#e             AUDIT#0000001   audit event (hash chain)
 *   APIKEY#<sha256>            APIKEY          api key → tenant
 *   TOKEN#<sha256>             TOKEN           signing link → tenant/envelope/recipient (TTL)
 */
type Options = TableOptions;

/** DynamoDB's transaction limits (100 actions, 4 MB), with room to spare for the keys and attribute names. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 3_000_000;

const envelopeKey = (tableName: string, tenantId: string, envelopeId: string) => `${tableName}\nTENANT#${tenantId}\nENV#${envelopeId}`;
const tenantKey = (tableName: string, tenantId: string) => `${tableName}\nTENANT#${tenantId}\nTENANT`;

export const dynamoEnvelopeRepository = ({ client, tableName }: Options): EnvelopeRepository => ({
  async commit(next, items) {
    // One round trip when it fits a transaction: the envelope's conditional put and its owed items
    // land together or not at all. Bigger commits (fifty signers' turn) prepare the items first.
    if (
      items.length > 0 &&
      items.length < MAX_TRANSACTION_ITEMS &&
      JSON.stringify(items).length + JSON.stringify(next).length < MAX_TRANSACTION_BYTES
    ) {
      const key = envelopeKey(tableName, next.tenantId, next.id);
      try {
        await writing(key, () =>
          client.send(
            new TransactWriteCommand({
              // A retry of the same commit (an unknown outcome) is answered as the first was, not as a conflict.
              ClientRequestToken: `${next.tenantId}#${next.id}#${next.version}#${items[0]?.commitId}`.slice(-36),
              TransactItems: [
                {
                  Put: {
                    TableName: tableName,
                    Item: { pk: `TENANT#${next.tenantId}`, sk: `ENV#${next.id}`, ...next },
                    ConditionExpression: '#v = :expected',
                    ExpressionAttributeNames: { '#v': 'version' },
                    ExpressionAttributeValues: { ':expected': next.version - 1 },
                  },
                },
                ...items.map((item) => ({ Put: { TableName: tableName, Item: { ...outboxKey(item), ...item } } })),
              ],
            }),
          ),
        );
      } catch (e) {
        if (isTransactionConditionFailure(e) || isTransactionConflict(e)) {
          throw new AppError('conflict', 'The envelope was changed by another request.');
        }
        throw e;
      }
      return;
    }
    const outbox = dynamoOutbox({ client, tableName });
    await outbox.prepare(items);
    try {
      await this.update(next);
    } catch (e) {
      // Lost: the items must not be owed. (After an unknown outcome, e.g. a timeout, they stay:
      // the worker performs them only if their commit id reached the envelope.)
      if (e instanceof AppError && e.code === 'conflict') await Promise.allSettled(items.map((i) => outbox.retire(i)));
      throw e;
    }
  },
  async createCommitted(envelope, events, items) {
    let head: AuditEvent | undefined;
    const chained = events.map((e) => {
      head = chainEvent(e, head);
      return head;
    });
    const writes = [
      {
        Item: { pk: `TENANT#${envelope.tenantId}`, sk: `ENV#${envelope.id}`, ...envelope },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
      ...chained.map((event) => ({
        Item: { pk: auditPk(envelope.tenantId, envelope.id), sk: auditSk(event.seq), ...event },
        ConditionExpression: 'attribute_not_exists(pk)',
      })),
      ...items.map((item) => ({ Item: { ...outboxKey(item), ...item } })),
    ];
    if (writes.length > MAX_COMMITTED_WRITES) {
      throw new Error(`createCommitted: ${writes.length} writes, more than one transaction takes (${MAX_COMMITTED_WRITES})`);
    }
    try {
      await writing(envelopeKey(tableName, envelope.tenantId, envelope.id), () =>
        client.send(new TransactWriteCommand({ TransactItems: writes.map((w) => ({ Put: { TableName: tableName, ...w } })) })),
      );
    } catch (e) {
      if (isTransactionConditionFailure(e)) throw new AppError('conflict', 'Envelope already exists.');
      throw e;
    }
    return chained;
  },
  async create(envelope) {
    try {
      await writing(envelopeKey(tableName, envelope.tenantId, envelope.id), () =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `TENANT#${envelope.tenantId}`, sk: `ENV#${envelope.id}`, ...envelope },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new AppError('conflict', 'Envelope already exists.');
      throw e;
    }
  },
  // Overlapping reads of one envelope share one call (shared-reads.ts: fifty signers at once).
  get: (tenantId, envelopeId) =>
    sharedRead(envelopeKey(tableName, tenantId, envelopeId), async () => {
      const r = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `ENV#${envelopeId}` }, ConsistentRead: true }),
      );
      return stripKeys<Envelope>(r.Item);
    }),
  async update(next) {
    try {
      await writing(envelopeKey(tableName, next.tenantId, next.id), () =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `TENANT#${next.tenantId}`, sk: `ENV#${next.id}`, ...next },
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': next.version - 1 },
          }),
        ),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new AppError('conflict', 'The envelope was changed by another request.');
      throw e;
    }
  },
  async list(tenantId, { limit, cursor }) {
    const r = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :env)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':env': 'ENV#' },
        Limit: limit,
        ScanIndexForward: false,
        ...(cursor ? { ExclusiveStartKey: { pk: `TENANT#${tenantId}`, sk: `ENV#${cursor}` } } : {}),
      }),
    );
    const items = (r.Items ?? []).map((i) => stripKeys<Envelope>(i) as Envelope);
    const last = r.LastEvaluatedKey?.sk as string | undefined;
    return { items, ...(last ? { cursor: last.slice(4) } : {}) };
  },
});

export const dynamoTokenRepository = ({ client, tableName }: Options): TokenRepository => ({
  async put(tokenHash, grant) {
    forgetInRequest(`token:${tokenHash}`);
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `TOKEN#${tokenHash}`, sk: 'TOKEN', ...grant, ttl: Math.floor(Date.parse(grant.expiresAt) / 1000) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },
  // Once per request: the signer routes' prefetch (functions/api/signing-grant.ts) and openLink share one read.
  get: (tokenHash) =>
    memoInRequest(`token:${tokenHash}`, async () => {
      const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' } }));
      return stripKeys<SigningGrant>(r.Item);
    }),
  async delete(tokenHash) {
    forgetInRequest(`token:${tokenHash}`);
    await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' } }));
  },
});

/**
 * A tenant is read once per request (functions/request-scope.ts): a sign request needs it for its TSAs,
 * its document timestamps and the signer's page, and read it three times. A write in the same
 * request (the only writer is `create`, which settings use) makes the next read go to the table.
 */
export const dynamoTenantRepository = ({ client, tableName }: Options): TenantRepository => ({
  async create(tenant) {
    forgetInRequest(`tenant:${tenant.id}`);
    await writing(tenantKey(tableName, tenant.id), () =>
      client.send(new PutCommand({ TableName: tableName, Item: { pk: `TENANT#${tenant.id}`, sk: 'TENANT', ...tenant } })),
    );
    forgetInRequest(`tenant:${tenant.id}`);
  },
  get: (tenantId) =>
    memoInRequest(`tenant:${tenantId}`, () =>
      // Overlapping reads of requests at once share one call (shared-reads.ts).
      sharedRead(tenantKey(tableName, tenantId), async () => {
        const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: 'TENANT' } }));
        return stripKeys<Tenant>(r.Item);
      }),
    ),
  async putApiKey(keyHash, tenantId) {
    await client.send(new PutCommand({ TableName: tableName, Item: { pk: `APIKEY#${keyHash}`, sk: 'APIKEY', tenantId } }));
  },
  async findApiKey(keyHash) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `APIKEY#${keyHash}`, sk: 'APIKEY' } }));
    if (!r.Item?.tenantId) return undefined;
    return { tenantId: r.Item.tenantId as string, ...(Array.isArray(r.Item.scopes) ? { scopes: r.Item.scopes as Scope[] } : {}) };
  },
});

/** DynamoDB's limit of items in one transaction. */
const AUDIT_EVENTS_PER_WRITE = MAX_COMMITTED_WRITES;

const auditSk = (seq: number) => `AUDIT#${String(seq).padStart(10, '0')}`;
const auditPk = (tenantId: string, envelopeId: string) => `TENANT#${tenantId}#ENV#${envelopeId}`;

export const dynamoAuditRepository = ({ client, tableName }: Options): AuditRepository => {
  const pk = auditPk;
  /** The newest events (newest first), as stored: with the id of the outbox item that appended each, if any. */
  const recent = async (tenantId: string, envelopeId: string, limit: number) => {
    const r = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': pk(tenantId, envelopeId), ':a': 'AUDIT#' },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (r.Items ?? []).map((i) => {
      const { effectId, ...event } = stripKeys<AuditEvent & { effectId?: string }>(i) as AuditEvent & { effectId?: string };
      return { event: event as AuditEvent, effectId };
    });
  };
  return {
    async append(tenantId, envelopeId, event, options = {}) {
      // Append-only: the next sequence number is claimed with a conditional put; a concurrent
      // append makes us re-read the head and chain onto it instead. An event appended for an
      // outbox item carries the item's id: if it is among the newest events, it is already there
      // (checked again after every lost race, so two workers never append it twice).
      for (let attempt = 0; attempt < 20; attempt++) {
        const newest = await recent(tenantId, envelopeId, options.effectId ? 25 : 1);
        const done = options.effectId ? newest.find((n) => n.effectId === options.effectId) : undefined;
        if (done) return done.event;
        const chained = chainEvent(event, newest[0]?.event);
        try {
          await client.send(
            new PutCommand({
              TableName: tableName,
              Item: {
                pk: pk(tenantId, envelopeId),
                sk: auditSk(chained.seq),
                ...chained,
                ...(options.effectId ? { effectId: options.effectId } : {}),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          return chained;
        } catch (e) {
          if (!isConditionFailure(e)) throw e;
        }
      }
      throw new AppError('conflict', 'Could not append to the audit trail.');
    },
    async appendAll(tenantId, envelopeId, entries) {
      let pending = [...entries];
      // A turn of signers owes one event each: they are written in one transaction (up to 100 a
      // write, DynamoDB's limit), each put conditional on its sequence number being free, so a
      // chunk lands whole or not at all — one round trip instead of one per event. Each lost race
      // (another appender took a number: the outbox worker appending the same events, one at a
      // time) reads the chain's end again and writes what is still missing in one transaction
      // again: the first round it wins ends the race (the worker then finds its events there),
      // where one put each would race it event by event. Events already there (by effect id)
      // are not appended twice.
      for (let attempt = 0; pending.length > 0 && attempt < 20; attempt++) {
        const newest = await recent(tenantId, envelopeId, 25 + pending.length);
        const there = new Set(newest.map((n) => n.effectId).filter((id): id is string => id !== undefined));
        pending = pending.filter((p) => !there.has(p.effectId));
        let head = newest[0]?.event;
        while (pending.length > 0) {
          const chunk = pending.slice(0, AUDIT_EVENTS_PER_WRITE);
          const puts = chunk.map((next) => {
            head = chainEvent(next.event, head);
            return {
              TableName: tableName,
              Item: { pk: pk(tenantId, envelopeId), sk: auditSk(head.seq), ...head, effectId: next.effectId },
              ConditionExpression: 'attribute_not_exists(pk)',
            };
          });
          try {
            const [only] = puts;
            if (only && puts.length === 1) await client.send(new PutCommand(only));
            else await client.send(new TransactWriteCommand({ TransactItems: puts.map((Put) => ({ Put })) }));
          } catch (e) {
            if (!isConditionFailure(e) && !isTransactionConditionFailure(e) && !isTransactionConflict(e)) throw e;
            break;
          }
          pending = pending.slice(chunk.length);
        }
      }
      if (pending.length > 0) throw new AppError('conflict', 'Could not append to the audit trail.');
    },
    async list(tenantId, envelopeId) {
      const events: AuditEvent[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const r = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
            ExpressionAttributeValues: { ':pk': pk(tenantId, envelopeId), ':a': 'AUDIT#' },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        events.push(
          ...(r.Items ?? []).map((i) => {
            const { effectId: _effectId, ...event } = stripKeys<AuditEvent & { effectId?: string }>(i) as AuditEvent & {
              effectId?: string;
            };
            return event as AuditEvent;
          }),
        );
        start = r.LastEvaluatedKey;
      } while (start);
      return events;
    },
  };
};
