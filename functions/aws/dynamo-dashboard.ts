import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DashboardSource, EnvelopeSummary, RecipientSummary } from '../../shared/dashboard/ports.js';
import type { TableOptions } from './dynamo-table.js';

const summaryOf = (item: Record<string, unknown>): EnvelopeSummary => {
  const recipients = ((item.recipients as Record<string, unknown>[] | undefined) ?? []).map(
    (r): RecipientSummary => ({
      id: r.id as string,
      name: r.name as string,
      role: r.role as RecipientSummary['role'],
      order: r.order as number,
      status: r.status as RecipientSummary['status'],
      ...(r.notifiedAt ? { notifiedAt: r.notifiedAt as string } : {}),
      ...(r.viewedAt ? { viewedAt: r.viewedAt as string } : {}),
      ...(r.delivery ? { delivery: r.delivery as 'embedded' } : {}),
    }),
  );
  return {
    id: item.id as string,
    title: item.title as string,
    status: item.status as EnvelopeSummary['status'],
    createdAt: item.createdAt as string,
    ...(item.sentAt ? { sentAt: item.sentAt as string } : {}),
    ...(item.completedAt ? { completedAt: item.completedAt as string } : {}),
    ...(item.expiresAt ? { expiresAt: item.expiresAt as string } : {}),
    recipients,
  };
};

/**
 * Pages through the tenant's `TENANT#t / ENV#…` items (one partition: never another tenant's),
 * projected to what the dashboard shows, so documents, fields and commits are not sent back.
 * DynamoDB still reads (and bills) whole items, up to 1 MB per page: the read is bounded by `max`.
 */
export const dynamoDashboardSource = ({ client, tableName }: TableOptions): DashboardSource => ({
  async envelopeSummaries(tenantId, max) {
    const items: EnvelopeSummary[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :env)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':env': 'ENV#' },
          ProjectionExpression: 'id, title, #s, createdAt, sentAt, completedAt, expiresAt, recipients',
          ExpressionAttributeNames: { '#s': 'status' },
          Limit: Math.min(500, max - items.length),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(r.Items ?? []).map(summaryOf));
      start = r.LastEvaluatedKey;
    } while (start && items.length < max);
    return { items, truncated: !!start };
  },
});
