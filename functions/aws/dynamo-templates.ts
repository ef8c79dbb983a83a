import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BulkJob, BulkJobRepository, BulkRowResult } from '../../shared/bulk/types.js';
import { AppError } from '../../shared/errors.js';
import type { Template, TemplateRepository } from '../../shared/templates/types.js';
import {
  isConditionFailure,
  isTransactionConditionFailure,
  isTransactionConflict,
  queryPartition,
  stripKeys,
  type TableOptions,
} from './dynamo-table.js';

/** DynamoDB's limit of writes in one TransactWriteItems. */
const MAX_TRANSACTION_WRITES = 100;

/**
 * Templates and bulk jobs in the single table (ADR 0002), tenant-scoped like everything else:
 *
 *   pk                          sk             item
 *   TENANT#t                    TPL#id         template (roles, fields, HTML source or PDF key)
 *   TENANT#t                    BULK#id        bulk job (total; doneRows/failedRows: number sets, so counting is idempotent)
 *   TENANT#t#BULK#id            ROW#0000001    one row's outcome (envelope id or reason)
 *   TENANT#t#BULK#id            TRY#0000001    unexpected failures of that row so far
 */
type Options = TableOptions;

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
    return stripKeys<Template>(r.Item);
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
    return { items: (r.Items ?? []).map((i) => stripKeys<Template>(i) as Template), ...(last ? { cursor: last.slice(4) } : {}) };
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
  // Not in one transaction with the counters: they are sets of row numbers (countRows), and adding a row to a
  // set twice changes nothing, so "put the outcome once, then add the row to its set" is safe to repeat after a
  // crash in between.
  const recordRow = async (tenantId: string, jobId: string, result: BulkRowResult): Promise<BulkRowResult> => {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: rowsPk(tenantId, jobId), sk: rowSk(result.row), ...result },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return result;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const r = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: rowsPk(tenantId, jobId), sk: rowSk(result.row) }, ConsistentRead: true }),
      );
      return stripKeys<BulkRowResult>(r.Item) ?? result;
    }
  };
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
      if (!r.Item) return undefined;
      const { doneRows, failedRows, ...job } = stripKeys<BulkJob & { doneRows?: Set<number>; failedRows?: Set<number> }>(
        r.Item,
      ) as BulkJob & {
        doneRows?: Set<number>;
        failedRows?: Set<number>;
      };
      return { ...job, done: doneRows?.size ?? 0, failed: failedRows?.size ?? 0 };
    },
    async getRows(tenantId, jobId, rows) {
      const out = new Map<number, BulkRowResult>();
      if (rows.length === 0) return out;
      const items = await queryPartition({ client, tableName }, rowsPk(tenantId, jobId), {
        from: rowSk(Math.min(...rows)),
        to: rowSk(Math.max(...rows)),
      });
      for (const i of items) {
        const result = stripKeys<BulkRowResult>(i) as BulkRowResult;
        if (rows.includes(result.row)) out.set(result.row, result);
      }
      return out;
    },
    recordRow,
    async recordRows(tenantId, jobId, results) {
      const out: BulkRowResult[] = [];
      for (let i = 0; i < results.length; i += MAX_TRANSACTION_WRITES) {
        const part = results.slice(i, i + MAX_TRANSACTION_WRITES);
        if (part.length === 1) {
          out.push(await recordRow(tenantId, jobId, part[0] as BulkRowResult));
          continue;
        }
        try {
          await client.send(
            new TransactWriteCommand({
              TransactItems: part.map((result) => ({
                Put: {
                  TableName: tableName,
                  Item: { pk: rowsPk(tenantId, jobId), sk: rowSk(result.row), ...result },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
            }),
          );
          out.push(...part);
        } catch (e) {
          if (!isTransactionConditionFailure(e) && !isTransactionConflict(e)) throw e;
          // Some were recorded meanwhile (a concurrent delivery of the chunk): one by one, keeping what stands.
          for (const result of part) out.push(await recordRow(tenantId, jobId, result));
        }
      }
      return out;
    },
    async countRows(tenantId, jobId, results) {
      const done = results.filter((r) => r.status === 'done').map((r) => r.row);
      const failed = results.filter((r) => r.status !== 'done').map((r) => r.row);
      if (!done.length && !failed.length) return;
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `TENANT#${tenantId}`, sk: `BULK#${jobId}` },
          UpdateExpression: `ADD ${[done.length ? 'doneRows :done' : '', failed.length ? 'failedRows :failed' : ''].filter(Boolean).join(', ')}`,
          ExpressionAttributeValues: {
            ...(done.length ? { ':done': new Set(done) } : {}),
            ...(failed.length ? { ':failed': new Set(failed) } : {}),
          },
        }),
      );
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
        for (const i of r.Items ?? []) out.push(stripKeys<BulkRowResult>(i) as BulkRowResult);
        start = r.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
};
