import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentHashIndex, TrustListRepository } from '../../shared/verify/ports.js';

/**
 * Items of the verification service in the single table (ADR 0002):
 *
 *   pk                   sk          item
 *   DOCHASH#<sha256>     DOCHASH     stored revision → tenant/envelope/document
 *   TENANT#t             TRUSTROOTS  the tenant's extra trusted CA roots (base64 DER)
 */
interface Options {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export const dynamoDocumentHashIndex = ({ client, tableName }: Options): DocumentHashIndex => ({
  async register(sha256, location) {
    await client.send(new PutCommand({ TableName: tableName, Item: { pk: `DOCHASH#${sha256}`, sk: 'DOCHASH', ...location } }));
  },
  async find(sha256) {
    const r = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `DOCHASH#${sha256}`, sk: 'DOCHASH' } }));
    const item = r.Item;
    if (!item) return undefined;
    return { tenantId: String(item.tenantId), envelopeId: String(item.envelopeId), documentId: String(item.documentId) };
  },
});

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
