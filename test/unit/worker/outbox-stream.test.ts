import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { JobDeps } from '../../../functions/worker/jobs.js';
import { createOutboxHandler } from '../../../functions/worker/outbox-stream.js';

const record = (pk: string, sk: string, seq: string) => ({ dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } }, SequenceNumber: seq } });

describe('outbox function (table stream + repair task)', () => {
  it('drains each envelope of a batch once, skips other items, and reports the first failure so the stream retries from it', async () => {
    const drained: string[] = [];
    const deps = {
      outbox: {
        forEnvelope: async (_t: string, e: string) => {
          drained.push(e);
          if (e === 'e2') throw Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
          return [];
        },
      },
    } as unknown as JobDeps;
    const handler = createOutboxHandler(() => deps);
    const event = {
      Records: [
        record('TENANT#t1', 'ENV#e1', '1'),
        record('TENANT#t1', 'ENV#e1', '2'),
        record('TENANT#t1#ENV#e1', 'AUDIT#0001', '3'),
        record('TENANT#t1', 'ENV#e2', '4'),
        record('TENANT#t1', 'ENV#e3', '5'),
      ],
    } as unknown as DynamoDBStreamEvent;
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: '4' }] });
    expect(drained).toEqual(['e1', 'e2']);
  });

  it('runs the repair sweep for { task: "outbox" }', async () => {
    const deps = {
      outbox: { due: async () => [], olderThan: async () => [] },
      openEnvelopes: { list: async () => ({ items: [] }) },
      logger: { info() {}, warn() {}, error() {} },
    } as unknown as JobDeps;
    expect(await createOutboxHandler(() => deps)({ task: 'outbox' })).toEqual({
      performed: 0,
      failed: 0,
      orphaned: 0,
      stuck: 0,
      repairedHeads: 0,
    });
  });

  it('runs the retention sweep for { task: "retention" } (issue 17): what the archive index says is due', async () => {
    const asked: Date[] = [];
    const deps = {
      archive: {},
      archiveIndex: {
        due: async (until: Date) => {
          asked.push(until);
          return { items: [] };
        },
      },
      clock: { now: () => new Date('2026-12-01T00:00:00.000Z') },
      timestampRenewalMarginDays: 30,
      logger: { info() {}, warn() {}, error() {} },
    } as unknown as JobDeps;
    expect(await createOutboxHandler(() => deps)({ task: 'retention' })).toEqual({ processed: 0, acted: 0, failed: 0 });
    expect(asked.map((d) => d.toISOString())).toEqual(['2026-12-31T00:00:00.000Z']);
  });
});
