import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './dynamo-document-client.js';

/** What every adapter on the single table takes (ADR 0002). */
export interface TableOptions {
  readonly client: DocumentClient;
  readonly tableName: string;
}

/** A lost conditional write: "already exists" or "changed since you read it", for the caller to turn into a domain error. */
export const isConditionFailure = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

/** A transaction refused because one of its conditions failed (a condition of a single write: isConditionFailure). */
const isCancelledFor = (e: unknown, code: string): boolean => {
  const err = e as { name?: string; CancellationReasons?: { Code?: string }[] } | undefined;
  return err?.name === 'TransactionCanceledException' && (err.CancellationReasons ?? []).some((r) => r?.Code === code);
};
export const isTransactionConditionFailure = (e: unknown): boolean => isCancelledFor(e, 'ConditionalCheckFailed');
/** Another transaction touched the same items at the same time (DynamoDB cancels one of them). */
export const isTransactionConflict = (e: unknown): boolean => isCancelledFor(e, 'TransactionConflict');

/** The stored item without its table keys and TTL attribute. */
export const stripKeys = <T>(item: Record<string, unknown> | undefined): T | undefined => {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = item;
  return rest as T;
};

/**
 * Every item of one partition, page by page (small partitions only: the local dev outboxes, a bulk
 * chunk's rows), or only those whose sort key is in [from, to] (inclusive).
 */
export const queryPartition = async (
  { client, tableName }: TableOptions,
  pk: string,
  range?: { readonly from: string; readonly to: string },
): Promise<Record<string, unknown>[]> => {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: range ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(range ? { ':from': range.from, ':to': range.to } : {}) },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    out.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
};
