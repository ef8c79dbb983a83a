import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoDocumentHashIndex } from '../../../functions/aws/dynamo-verify.js';

/** A client that records each call and answers it a moment later. */
const recordingClient = (unprocessedOnce = false) => {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  let failedOnce = !unprocessedOnce;
  const client = {
    send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      calls.push({ name: command.constructor.name, input: command.input });
      return new Promise((resolve) =>
        setTimeout(() => {
          const requests = (command.input.RequestItems as Record<string, unknown[]> | undefined)?.kyso;
          if (requests && !failedOnce) {
            failedOnce = true;
            resolve({ UnprocessedItems: { kyso: requests.slice(1) } });
          } else resolve({});
        }, 1),
      );
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, calls };
};

const at = { tenantId: 't', envelopeId: 'e', documentId: 'd' };
const hash = (i: number) => i.toString(16).padStart(64, '0');

describe('document hash index: registrations that meet go in one write', () => {
  it('sends one at once, and those that came meanwhile together', async () => {
    const { client, calls } = recordingClient();
    const index = dynamoDocumentHashIndex({ client, tableName: 'kyso' });
    const first = index.register(hash(1), at);
    const rest = Array.from({ length: 30 }, (_, i) => index.register(hash(i + 2), at));
    let settled = 0;
    for (const p of [first, ...rest]) void p.then(() => settled++);
    await Promise.all([first, ...rest]);
    expect(settled).toBe(31);
    // One put, then the 30 that waited in batches of at most 25.
    expect(calls.map((c) => c.name)).toEqual(['PutCommand', 'BatchWriteCommand', 'BatchWriteCommand']);
    const written = calls.flatMap((c) =>
      c.name === 'PutCommand'
        ? [(c.input.Item as { pk: string }).pk]
        : ((c.input.RequestItems as Record<string, { PutRequest: { Item: { pk: string } } }[]>).kyso ?? []).map(
            (r) => r.PutRequest.Item.pk,
          ),
    );
    expect(new Set(written).size).toBe(31);
  });

  it('writes again what DynamoDB left unprocessed before the registrations resolve', async () => {
    const { client, calls } = recordingClient(true);
    const index = dynamoDocumentHashIndex({ client, tableName: 'kyso' });
    const all = [index.register(hash(1), at), index.register(hash(2), at), index.register(hash(3), at)];
    await Promise.all(all);
    const batches = calls.filter((c) => c.name === 'BatchWriteCommand');
    expect(batches).toHaveLength(2);
    expect(((batches[1]?.input.RequestItems ?? {}) as Record<string, unknown[]>).kyso).toHaveLength(1);
  });
});
