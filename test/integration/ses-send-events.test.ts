import { SESClient } from '@aws-sdk/client-ses';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { dynamoOutbox, outboxKey } from '../../functions/aws/dynamo-outbox.js';
import { sesMailer } from '../../functions/aws/ses-mailer.js';
import type { OutboxItem } from '../../shared/envelope/effects.js';
import type { MailMessage } from '../../shared/envelope/ports.js';
import { sendOwedEmail } from '../../shared/messaging/owed-email.js';
import { randomId } from '../../shared/util/bytes.js';
import { uniqueEmail } from '../support/api.js';
import { localDynamo, TEST_TABLE } from '../support/aws.js';

/**
 * A worker hands an owed email to SES and dies before recording anything more. SES (moto, with
 * functions/local/moto-server.py publishing the Send event moto lacks) publishes its Send event to
 * the configuration set's topic; the running server, polling the queue subscribed to that topic as
 * the stack's Lambda is subscribed, records the MessageId on the item from the event's tag. The
 * next worker to run the item then sends nothing.
 */
describe('SES Send events settle an email handed over by a worker that died', () => {
  it('records SES’s MessageId on the owing item from the event alone, so a rerun does not send it again', async () => {
    const client = localDynamo();
    const outbox = dynamoOutbox({ client, tableName: TEST_TABLE });
    const ses = new SESClient({
      endpoint: inject('awsEndpoint'),
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    let sends = 0;
    const inner = sesMailer({ client: ses, from: 'no-reply@kyso.local', configurationSet: TEST_TABLE });
    const mailer = {
      send: (m: MailMessage, o?: Parameters<typeof inner.send>[1]) => {
        sends++;
        return inner.send(m, o);
      },
    };
    const now = new Date();
    const item: OutboxItem = {
      id: `ses-${randomId(6)}.3.1`,
      tenantId: 'dev',
      envelopeId: `ses-${randomId(6)}`,
      version: 3,
      commitId: randomId(9),
      index: 1,
      effect: { kind: 'message', message: { to: uniqueEmail('ses-send'), subject: 'Hợp đồng đã bị hủy', text: 't', html: '<p>t</p>' } },
      createdAt: now.toISOString(),
      attempts: 0,
      // Never due for the server's own worker: only this test runs it.
      notBefore: new Date(now.getTime() + 86_400_000).toISOString(),
    };
    await outbox.prepare([item]);
    const read = async () =>
      (await client.send(new GetCommand({ TableName: TEST_TABLE, Key: outboxKey(item), ConsistentRead: true }))).Item as
        | OutboxItem
        | undefined;
    const deps = { mailer, outbox, clock: { now: () => new Date() }, sendEventWaitMs: 60_000 };
    try {
      // The first run: marked, handed over, then "dies" (records nothing else).
      const first = await sendOwedEmail(deps, MAIL_OF(item), item);
      expect(sends).toBe(1);
      expect((await read())?.sendingAt).toBeDefined();

      // SES's Send event reaches the item through the topic and the server's subscriber.
      let stored = await read();
      for (const until = Date.now() + 15_000; !stored?.emailMessageId && Date.now() < until; stored = await read()) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(stored?.emailMessageId).toBe(first.messageId);

      // The rerun sends nothing and reports the same message.
      const again = await sendOwedEmail(deps, MAIL_OF(stored as OutboxItem), stored as OutboxItem);
      expect(again.messageId).toBe(first.messageId);
      expect(sends).toBe(1);
    } finally {
      await outbox.retire(item);
    }
  }, 60_000);
});

const MAIL_OF = (item: OutboxItem): MailMessage => {
  if (item.effect.kind !== 'message') throw new Error('not a message item');
  return item.effect.message;
};
