import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryFailure, DeliveryLog, DeliveryReceipt, Messenger, PhoneMessage } from '../../shared/messaging/ports.js';
import { randomId } from '../../shared/util/bytes.js';
import { readSecret, type SecretSource } from './admin-key-secret.js';
import { isConditionFailure, queryPartition, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 *   pk                         sk                              item
 *   TENANT#t#ENV#e             DELIVERY#<provider>#<msgId>     one phone message and its latest receipt
 *   MSG#<provider>#<msgId>     MSG                             → which envelope it belongs to (receipts name only the id)
 *   MSG#<provider>#<msgId>     EARLY                           a receipt that came before the message was recorded (TTL 1 day)
 *   TENANT#t                   DLVFAIL#<at>#<rand>             a message that failed (the dashboard's list; TTL 40 days)
 *   ZNS                        REFRESH                         the OA's current refresh token (rotates on each use)
 *   DEVSMS / DEVZALO           <at>#<rand>                     local mode only: what GET /dev/sms, /dev/zalo list
 */
const FAILURE_TTL_SECONDS = 40 * 86_400;

export const dynamoDeliveryLog = ({ client, tableName }: TableOptions): DeliveryLog => {
  /** The parked receipt of a message, deleted by whoever takes it (a conditional delete: one taker). */
  const claimEarly = async (provider: string, messageId: string): Promise<DeliveryReceipt | undefined> => {
    try {
      const r = await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: `MSG#${provider}#${messageId}`, sk: 'EARLY' },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      const item = r.Attributes;
      if (!item) return undefined;
      return { status: item.status, at: item.at, ...(item.detail ? { detail: item.detail } : {}) };
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  };
  return {
    async record(d) {
      // Both records in one call; one the table left unprocessed (throttling) is put on its own.
      const r = await client.send(
        new BatchWriteCommand({
          RequestItems: {
            [tableName]: [
              { pk: `TENANT#${d.tenantId}#ENV#${d.envelopeId}`, sk: `DELIVERY#${d.provider}#${d.messageId}`, ...d },
              { pk: `MSG#${d.provider}#${d.messageId}`, sk: 'MSG', tenantId: d.tenantId, envelopeId: d.envelopeId },
            ].map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
      const left = r.UnprocessedItems?.[tableName] ?? [];
      await Promise.all(left.map((w) => client.send(new PutCommand({ TableName: tableName, Item: w.PutRequest?.Item }))));
      // Then a receipt that came before these records (parked as EARLY) is taken.
      return claimEarly(d.provider, d.messageId);
    },
    async list(tenantId, envelopeId) {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}#ENV#${envelopeId}`, ':sk': 'DELIVERY#' },
          ConsistentRead: true,
        }),
      );
      return (r.Items ?? []).map((i) => stripKeys<Delivery>(i) as Delivery).sort((a, b) => a.sentAt.localeCompare(b.sentAt));
    },
    async recordFailure(f) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `TENANT#${f.tenantId}`,
            sk: `DLVFAIL#${f.at}#${randomId(6)}`,
            ...f,
            ttl: Math.floor(Date.parse(f.at) / 1000) + FAILURE_TTL_SECONDS,
          },
        }),
      );
    },
    async listFailures(tenantId, since, limit) {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':from': `DLVFAIL#${since}`, ':to': 'DLVFAIL#~' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (r.Items ?? []).map((i) => stripKeys<DeliveryFailure>(i) as DeliveryFailure);
    },
    async applyReceipt(provider, messageId, receipt) {
      const owner = async () =>
        (
          await client.send(
            new GetCommand({ TableName: tableName, Key: { pk: `MSG#${provider}#${messageId}`, sk: 'MSG' }, ConsistentRead: true }),
          )
        ).Item;
      let found = await owner();
      if (!found) {
        // Before the sender's `record` landed: park it; whoever deletes the parked item applies it
        // (this call if the record landed meanwhile, else `record`), so it is applied exactly once.
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `MSG#${provider}#${messageId}`, sk: 'EARLY', ...receipt, ttl: Math.floor(Date.now() / 1000) + 86_400 },
          }),
        );
        found = await owner();
        if (!found) return undefined;
        const parked = await claimEarly(provider, messageId);
        if (!parked) return undefined;
      }
      try {
        // A receipt always replaces "sent" (the provider's clock may be behind ours, or it reported
        // before we recorded); between receipts the strictly later one wins, so out-of-order ones
        // don't regress and a receipt delivered twice (Lambda retries a log batch) applies once.
        const r = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: `TENANT#${found.tenantId}#ENV#${found.envelopeId}`, sk: `DELIVERY#${provider}#${messageId}` },
            UpdateExpression: `SET #s = :s, updatedAt = :at${receipt.detail ? ', detail = :d' : ' REMOVE detail'}`,
            ConditionExpression: 'attribute_exists(pk) AND (#s = :sent OR updatedAt < :at)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':s': receipt.status,
              ':at': receipt.at,
              ':sent': 'sent',
              ...(receipt.detail ? { ':d': receipt.detail } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return stripKeys<Delivery>(r.Attributes);
      } catch (e) {
        if (isConditionFailure(e)) return undefined;
        throw e;
      }
    },
  };
};

/** The ZNS refresh token: the configured one until the first rotation, then the stored one. */
export const dynamoZnsTokens = ({ client, tableName }: TableOptions, initial?: SecretSource) => ({
  /** The latest rotated refresh token; the configured first one (read only then) until Zalo has rotated it. */
  async load() {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: 'ZNS', sk: 'REFRESH' }, ConsistentRead: true }));
    const stored = r.Item?.token as string | undefined;
    return stored ?? (initial === undefined ? undefined : readSecret(initial));
  },
  async save(token: string) {
    await client.send(new PutCommand({ TableName: tableName, Item: { pk: 'ZNS', sk: 'REFRESH', token } }));
  },
});

export interface DevPhoneMessage extends PhoneMessage {
  readonly at: string;
  readonly channel: 'sms' | 'zalo';
  readonly messageId: string;
}

/** Local mode only: phone messages are also kept for GET /dev/sms and /dev/zalo (like /dev/mail). */
export const devPhoneOutbox = ({ client, tableName }: TableOptions) => ({
  wrap(inner: Messenger): Messenger {
    return {
      channel: inner.channel,
      async send(m) {
        const sent = await inner.send(m);
        const at = new Date().toISOString();
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: inner.channel === 'sms' ? 'DEVSMS' : 'DEVZALO',
              sk: `${at}#${Math.random().toString(36).slice(2)}`,
              at,
              channel: inner.channel,
              messageId: sent.messageId,
              ...m,
            },
          }),
        );
        return sent;
      },
    };
  },
  async list(channel: 'sms' | 'zalo'): Promise<DevPhoneMessage[]> {
    return (await queryPartition({ client, tableName }, channel === 'sms' ? 'DEVSMS' : 'DEVZALO')).map(
      (i) => stripKeys<DevPhoneMessage>(i) as DevPhoneMessage,
    );
  },
});
