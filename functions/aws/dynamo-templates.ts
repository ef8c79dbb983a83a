import { ConditionalCheckFailedException, type TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BulkJob, BulkJobRepository, BulkRowResult } from '../../shared/bulk/types.js';
import { AppError } from '../../shared/errors.js';
import type { Template, TemplateRepository } from '../../shared/templates/types.js';

/**
 * Templates and bulk jobs in the single table (ADR 0002), tenant-scoped like everything else:
 *
 *   pk                          sk             item
 *   TENANT#t                    TPL#id         template (roles, fields, HTML source or PDF key)
 *   TENANT#t                    BULK#id        bulk job (total, done/failed counters)
 *   TENANT#t#BULK#id            ROW#0000001    one row's outcome (envelope id or reason)
 *   TENANT#t#BULK#id            TRY#0000001    unexpected failures of that row so far
 */
interface Options {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

const isConditionFailure = (e: unknown) =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';

const strip = <T>(item: Record<string, unknown> | undefined): T | undefined => {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
};

export const dynamoTemplateRepository = ({ client, tableName }: Options): TemplateRepository => ({
  async create(template) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `TENANT#${template.tenantId}`, sk: `TPL#${template.id}`, ...template },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new AppError('conflict', 'Template already exists.');
      throw e;
    }
  },
  async get(tenantId, templateId) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `TPL#${templateId}` } }));
    return strip<Template>(r.Item);
  },
  async list(tenantId, { limit, cursor }) {
    const r = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tpl)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':tpl': 'TPL#' },
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: { pk: `TENANT#${tenantId}`, sk: `TPL#${cursor}` } } : {}),
      }),
    );
    const last = r.LastEvaluatedKey?.sk as string | undefined;
    return { items: (r.Items ?? []).map((i) => strip<Template>(i) as Template), ...(last ? { cursor: last.slice(4) } : {}) };
  },
  async delete(tenantId, templateId) {
    const r = await client.send(
      new DeleteCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `TPL#${templateId}` }, ReturnValues: 'ALL_OLD' }),
    );
    return !!r.Attributes;
  },
});

const rowSk = (row: number) => `ROW#${String(row).padStart(7, '0')}`;

export const dynamoBulkJobRepository = ({ client, tableName }: Options): BulkJobRepository => {
  const rowsPk = (tenantId: string, jobId: string) => `TENANT#${tenantId}#BULK#${jobId}`;
  return {
    async create(job) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `TENANT#${job.tenantId}`, sk: `BULK#${job.id}`, ...job },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async get(tenantId, jobId) {
      const r = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `BULK#${jobId}` }, ConsistentRead: true }),
      );
      return strip<BulkJob>(r.Item);
    },
    async getRow(tenantId, jobId, row) {
      const r = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: rowsPk(tenantId, jobId), sk: rowSk(row) }, ConsistentRead: true }),
      );
      return strip<BulkRowResult>(r.Item);
    },
    async recordRow(tenantId, jobId, result) {
      // The row's outcome and the job's counter move together or not at all, and only once per row.
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: rowsPk(tenantId, jobId), sk: rowSk(result.row), ...result },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: `TENANT#${tenantId}`, sk: `BULK#${jobId}` },
                  UpdateExpression: 'ADD #c :one',
                  ExpressionAttributeNames: { '#c': result.status === 'done' ? 'done' : 'failed' },
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
            ],
          }),
        );
        return true;
      } catch (e) {
        const reasons = (e as TransactionCanceledException).CancellationReasons;
        if ((e as { name?: string }).name === 'TransactionCanceledException' && reasons?.[0]?.Code === 'ConditionalCheckFailed') {
          return false;
        }
        throw e;
      }
    },
    async countFailedAttempt(tenantId, jobId, row) {
      const r = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: rowsPk(tenantId, jobId), sk: `TRY#${String(row).padStart(7, '0')}` },
          UpdateExpression: 'ADD attempts :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(r.Attributes?.attempts ?? 1);
    },
    async listRows(tenantId, jobId, options = {}) {
      const out: BulkRowResult[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const r = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :row)',
            ...(options.status ? { FilterExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' } } : {}),
            ExpressionAttributeValues: {
              ':pk': rowsPk(tenantId, jobId),
              ':row': 'ROW#',
              ...(options.status ? { ':s': options.status } : {}),
            },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const i of r.Items ?? []) out.push(strip<BulkRowResult>(i) as BulkRowResult);
        start = r.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
};
