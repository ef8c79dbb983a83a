import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createWorkerHandler } from '../../../functions/worker/handler.js';
import type { JobDeps } from '../../../functions/worker/jobs.js';
import type { MailMessage } from '../../../shared/envelope/ports.js';

const record = (messageId: string, kind: string, body: unknown): SQSRecord =>
  ({
    messageId,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    messageAttributes: { kind: { stringValue: kind, dataType: 'String', stringListValues: [], binaryListValues: [] } },
  }) as unknown as SQSRecord;

describe('worker Lambda', () => {
  it('runs each record by its kind and reports only the failed ones (partial batch failure)', async () => {
    const sent: MailMessage[] = [];
    const deps = {
      mailer: {
        send: async (m: MailMessage) => {
          if (m.to === 'bounce@example.vn') throw new Error('ses down');
          sent.push(m);
        },
      },
    } as unknown as JobDeps;
    const mail = (to: string) => ({ to, subject: 'Chào', text: 't', html: '<p>t</p>' });
    const event: SQSEvent = {
      Records: [
        record('m1', 'email', mail('an@example.vn')),
        record('m2', 'email', mail('bounce@example.vn')),
        record('m3', 'no-such-kind', {}),
        record('m4', 'email', '{not json'),
        record('m5', 'email', mail('binh@example.vn')),
      ],
    };
    const result = await createWorkerHandler(() => deps)(event);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m2', 'm3', 'm4']);
    expect(sent.map((m) => m.to)).toEqual(['an@example.vn', 'binh@example.vn']);
  });
});
