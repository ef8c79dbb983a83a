import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentHashIndex, DocumentLocation, TrustListRepository } from '../../shared/verify/ports.js';
import type { DocumentClient } from './dynamo-document-client.js';

/**
 * Items of the verification service in the single table (ADR 0002):
 *
 *   pk                   sk          item
 *   DOCHASH#<sha256>     DOCHASH     stored revision → tenant/envelope/document
 *   TENANT#t             TRUSTROOTS  the tenant's extra trusted CA roots (base64 DER)
 */
interface Options {
  readonly client: DocumentClient;
  readonly tableName: string;
}

/** DynamoDB's limit of writes in one BatchWriteItem. */
const BATCH = 25;

/**
 * Registrations go out in groups: one sent at once when none is on its way, and those that come
 * while one is on its way go together in the next BatchWriteItem (up to 25), each resolved when
 * its own write is in. A turn of signers stores a revision per signer one after another
 * (shared/envelope/turn-documents.ts): under load they meet here and cost a few calls instead of
 * one each; alone, a registration waits for nothing.
 */
export const dynamoDocumentHashIndex = ({ client, tableName }: Options): DocumentHashIndex => {
  const waiting: { sha256: string; location: DocumentLocation; done: { resolve(): void; reject(e: unknown): void } }[] = [];
  let sending = false;
  const send = async (): Promise<void> => {
    sending = true;
    try {
      while (waiting.length > 0) {
        const group = waiting.splice(0, BATCH);
        try {
          // One write per key in a batch: the same bytes stored twice register the last location.
          const items = [...new Map(group.map((g) => [g.sha256, { pk: `DOCHASH#${g.sha256}`, sk: 'DOCHASH', ...g.location }])).values()];
          if (items.length === 1) await client.send(new PutCommand({ TableName: tableName, Item: items[0] }));
          else {
            let requests: Record<string, unknown>[] = items.map((Item) => ({ PutRequest: { Item } }));
            // Unprocessed writes (throttling) are retried a few times, then the stores waiting on them fail.
            for (let attempt = 0; requests.length > 0; attempt++) {
              if (attempt === 5) throw new Error('document hashes could not be registered');
              if (attempt > 0) await new Promise((res) => setTimeout(res, 50 * 2 ** attempt));
              const r = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }));
              requests = (r.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
            }
          }
          for (const g of group) g.done.resolve();
        } catch (e) {
          for (const g of group) g.done.reject(e);
        }
      }
    } finally {
      sending = false;
    }
  };
  return {
    register: (sha256, location) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ sha256, location, done: { resolve, reject } });
        if (!sending) void send();
      }),
    async find(sha256) {
      const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `DOCHASH#${sha256}`, sk: 'DOCHASH' } }));
      const item = r.Item;
      if (!item) return undefined;
      return { tenantId: String(item.tenantId), envelopeId: String(item.envelopeId), documentId: String(item.documentId) };
    },
  };
};

export const dynamoTrustListRepository = ({ client, tableName }: Options): TrustListRepository => ({
  async rootsFor(tenantId) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: 'TRUSTROOTS' } }));
    const roots = (r.Item?.roots ?? []) as string[];
    return roots.map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
  },
  async setRoots(tenantId, roots) {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `TENANT#${tenantId}`, sk: 'TRUSTROOTS', roots: roots.map((r) => Buffer.from(r).toString('base64')) },
      }),
    );
  },
});
