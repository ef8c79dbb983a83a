import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Mailer, MailMessage } from '../../shared/envelope/ports.js';
import { AppError } from '../../shared/errors.js';
import { queryPartition } from './dynamo-table.js';

/**
 * SES; with the stack's configuration set, so TLS is required, bounces/complaints are suppressed and
 * measured, and its events (bounce, complaint, delivery, …) name the MessageId returned here
 * (functions/messaging/ses-events.ts).
 */
export const sesMailer = ({ client, from, configurationSet }: { client: SESClient; from: string; configurationSet?: string }): Mailer => ({
  async send(m) {
    const { MessageId } = await client.send(
      new SendEmailCommand({
        Source: from,
        ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
        Destination: { ToAddresses: [m.to] },
        Message: {
          Subject: { Data: m.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: m.text, Charset: 'UTF-8' }, Html: { Data: m.html, Charset: 'UTF-8' } },
        },
      }),
    );
    // SendEmail always answers with one; without it no event could ever be matched to the message.
    if (!MessageId) throw new AppError('service_unavailable', 'SES accepted the message but returned no MessageId.');
    return { provider: 'ses', messageId: MessageId };
  },
});

/**
 * Local mode only: every mail that went through SES is also kept here so a newcomer (and
 * the integration tests) can read it at GET /dev/mail. Never wired on a real deployment.
 */
export const devOutbox = ({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }) => ({
  wrap(inner: Mailer): Mailer {
    return {
      async send(m) {
        const sent = await inner.send(m);
        const at = new Date().toISOString();
        const item = { sk: `${at}#${Math.random().toString(36).slice(2)}`, at, messageId: sent.messageId, ...m };
        // Once in the list of all mail and once under its recipient: a test reading one address's mail
        // (GET /dev/mail?to=) does not page through every message of the run.
        await Promise.all(
          ['DEVMAIL', devMailPk(m.to)].map((pk) => client.send(new PutCommand({ TableName: tableName, Item: { pk, ...item } }))),
        );
        return sent;
      },
    };
  },
  /** Every mail sent, oldest first; `to`: only that address's. */
  async list(to?: string): Promise<(MailMessage & { at: string; messageId?: string })[]> {
    return (await queryPartition({ client, tableName }, to === undefined ? 'DEVMAIL' : devMailPk(to))).map((i) => ({
      at: i.at as string,
      ...(typeof i.messageId === 'string' ? { messageId: i.messageId } : {}),
      to: i.to as string,
      subject: i.subject as string,
      text: i.text as string,
      html: i.html as string,
    }));
  },
});

const devMailPk = (to: string) => `DEVMAIL#${to}`;
