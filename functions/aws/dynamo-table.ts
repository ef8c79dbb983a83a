import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What every adapter on the single table takes (ADR 0002). */
export interface TableOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** A lost conditional write: "already exists" or "changed since you read it", for the caller to turn into a domain error. */
export const isConditionFailure = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

/** The stored item without its table keys and TTL attribute. */
export const stripKeys = <T>(item: Record<string, unknown> | undefined): T | undefined => {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = item;
  return rest as T;
};
