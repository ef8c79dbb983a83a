import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Mailer, MailMessage } from '../../shared/envelope/ports.js';
import { AppError } from '../../shared/errors.js';
import { OUTBOX_TAG } from '../messaging/ses-event.js';
import type { DocumentClient } from './dynamo-document-client.js';
import { queryPartition } from './dynamo-table.js';

/** SES answered and refused for now (throttling, sending rate): it surely did not take the message. */
const refusedForNow = (e: unknown): boolean => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  return err.$metadata?.httpStatusCode === 400 && (err.$retryable?.throttling === true || /Throttl/i.test(err.name ?? ''));
};

/**
 * The SES client makes one attempt per call (functions/aws/clients.ts): a retry after a timeout could
 * send twice. Here only what SES answered and refused is tried again (3 attempts, 100 ms then 200 ms).
 */
const answeredRetry = async <T>(call: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (attempt >= 3 || !refusedForNow(e)) throw e;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
};

/**
 * SES; with the stack's configuration set, so TLS is required, bounces/complaints are suppressed and
 * measured, and its events (bounce, complaint, delivery, …) name the MessageId returned here
 * (functions/messaging/ses-events.ts).
 */
export const sesMailer = ({ client, from, configurationSet }: { client: SESClient; from: string; configurationSet?: string }): Mailer => ({
  async send(m, options) {
    const { MessageId } = await answeredRetry(() =>
      client.send(
        new SendEmailCommand({
          Source: from,
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
          // SES copies message tags into every event of the message (mail.tags), its Send event included.
          ...(options?.outboxRef ? { Tags: [{ Name: OUTBOX_TAG, Value: options.outboxRef }] } : {}),
          Destination: { ToAddresses: [m.to] },
          Message: {
            Subject: { Data: m.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: m.text, Charset: 'UTF-8' }, Html: { Data: m.html, Charset: 'UTF-8' } },
          },
        }),
      ),
    );
    // SendEmail always answers with one; without it no event could ever be matched to the message.
    if (!MessageId) throw new AppError('service_unavailable', 'SES accepted the message but returned no MessageId.');
    return { provider: 'ses', messageId: MessageId };
  },
});

/**
 * Local mode only: every mail that went through SES is also kept here so a newcomer (and
 * the integration tests) can read it at GET /dev/mail. Never wired on a real deployment.
 * An email an outbox item owes is kept as it is handed to SES, one record per item (a rerun
 * replaces it), so the record matches SES's own even when the process dies in between.
 */
export const devOutbox = ({ client, tableName }: { client: DocumentClient; tableName: string }) => ({
  wrap(inner: Mailer): Mailer {
    // Once in the list of all mail and once under its recipient: a test reading one address's mail
    // (GET /dev/mail?to=) does not page through every message of the run.
    const keep = async (m: MailMessage, sk: string, messageId?: string) => {
      const at = new Date().toISOString();
      const item = { sk: sk || `${at}#${Math.random().toString(36).slice(2)}`, at, ...(messageId ? { messageId } : {}), ...m };
      // Both records in one call (a bulk send keeps 10,000 of each); one the table left unprocessed is put on its own.
      const r = await client.send(
        new BatchWriteCommand({
          RequestItems: { [tableName]: ['DEVMAIL', devMailPk(m.to)].map((pk) => ({ PutRequest: { Item: { pk, ...item } } })) },
        }),
      );
      const left = r.UnprocessedItems?.[tableName] ?? [];
      await Promise.all(left.map((w) => client.send(new PutCommand({ TableName: tableName, Item: w.PutRequest?.Item }))));
    };
    return {
      async send(m, options) {
        const owed = options?.outboxRef ? `OWED#${options.outboxRef}` : '';
        if (owed) await keep(m, owed);
        const sent = await inner.send(m, options);
        await keep(m, owed, sent.messageId);
        return sent;
      },
    };
  },
  /** Every mail sent, oldest first; `to`: only that address's. */
  async list(to?: string): Promise<(MailMessage & { at: string; messageId?: string })[]> {
    return (await queryPartition({ client, tableName }, to === undefined ? 'DEVMAIL' : devMailPk(to)))
      .sort((a, b) => String(a.at).localeCompare(String(b.at)))
      .map((i) => ({
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
