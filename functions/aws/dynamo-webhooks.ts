import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookDelivery, WebhookEndpoint, WebhookRepository } from '../../shared/webhooks/ports.js';
import { isConditionFailure, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 * Webhook endpoints and deliveries in the single table (ADR 0002):
 *
 *   pk                      sk               item
 *   TENANT#t                WEBHOOK#w        endpoint (url, events, secret — encrypted at rest by the table's KMS key)
 *   TENANT#t#DELIVERIES     DELIVERY#d       delivery (payload, status, attempts); succeeded ones expire after 30 days
 *
 * Delivery ids are time-ordered, so a query backwards lists the newest first.
 */
type Options = TableOptions;

const SUCCEEDED_TTL_SECONDS = 30 * 24 * 3600;

const deliveryPk = (tenantId: string) => `TENANT#${tenantId}#DELIVERIES`;

const deliveryItem = (d: WebhookDelivery) => ({
  pk: deliveryPk(d.tenantId),
  sk: `DELIVERY#${d.id}`,
  ...d,
  ...(d.status === 'succeeded' ? { ttl: Math.floor(Date.now() / 1000) + SUCCEEDED_TTL_SECONDS } : {}),
});

export const dynamoWebhookRepository = ({ client, tableName }: Options): WebhookRepository => ({
  async createEndpoint(endpoint) {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `TENANT#${endpoint.tenantId}`, sk: `WEBHOOK#${endpoint.id}`, ...endpoint },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },
  async getEndpoint(tenantId, endpointId) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `WEBHOOK#${endpointId}` } }));
    return stripKeys<WebhookEndpoint>(r.Item);
  },
  async listEndpoints(tenantId) {
    const out: WebhookEndpoint[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :w)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':w': 'WEBHOOK#' },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      out.push(...(r.Items ?? []).map((i) => stripKeys<WebhookEndpoint>(i) as WebhookEndpoint));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  },
  async deleteEndpoint(tenantId, endpointId) {
    const r = await client.send(
      new DeleteCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `WEBHOOK#${endpointId}` }, ReturnValues: 'ALL_OLD' }),
    );
    return !!r.Attributes;
  },

  async createDelivery(delivery) {
    await client.send(
      new PutCommand({ TableName: tableName, Item: deliveryItem(delivery), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  },
  async getDelivery(tenantId, deliveryId) {
    const r = await client.send(
      new GetCommand({ TableName: tableName, Key: { pk: deliveryPk(tenantId), sk: `DELIVERY#${deliveryId}` }, ConsistentRead: true }),
    );
    return stripKeys<WebhookDelivery>(r.Item);
  },
  async updateDelivery(next, expected) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: deliveryItem(next),
          ConditionExpression: 'attempts = :a AND #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':a': expected.attempts, ':s': expected.status },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  },
  async listDeliveries(tenantId, { status, limit, cursor }) {
    // A status filter skips items after they are read: keep reading pages until `limit` match.
    const items: WebhookDelivery[] = [];
    let start: Record<string, unknown> | undefined = cursor ? { pk: deliveryPk(tenantId), sk: `DELIVERY#${cursor}` } : undefined;
    do {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
          ExpressionAttributeValues: { ':pk': deliveryPk(tenantId), ':d': 'DELIVERY#', ...(status ? { ':s': status } : {}) },
          ...(status ? { FilterExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' } } : {}),
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: limit - items.length + (status ? 50 : 0),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of r.Items ?? []) {
        if (items.length < limit) items.push(stripKeys<WebhookDelivery>(i) as WebhookDelivery);
      }
      start = r.LastEvaluatedKey;
      if (items.length >= limit) {
        const last = items[items.length - 1];
        return { items, ...(last ? { cursor: last.id } : {}) };
      }
    } while (start);
    return { items };
  },
});
