import { DeleteMessageCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JobKind } from '../../shared/jobs/ports.js';
import type { Logger } from '../logger.js';
import { applySesEvents } from '../messaging/apply-ses-events.js';
import { drainEnvelopeOutbox, drainOutbox } from '../worker/effects.js';
import { type JobDeps, runJob } from '../worker/jobs.js';
import type { InProcessOutboxSignal } from '../worker/outbox-signal.js';

export interface JobPoller {
  /** Stops polling, waits for the jobs already running, resolves when idle. */
  stop(): Promise<void>;
}

/**
 * Local stand-in for the worker Lambda's SQS event sources (`npm start` only): long-polls each
 * local queue and runs the same handlers (functions/worker/jobs.ts). A job that resolves is
 * deleted; one that throws stays and comes back after the visibility timeout, and after 5
 * receives moves to the DLQ, exactly as in AWS.
 */
export const startJobPoller = (options: {
  sqs: SQSClient;
  queueUrls: Partial<Record<JobKind, string>>;
  deps: JobDeps;
  logger: Logger;
  waitTimeSeconds?: number;
  /** The outbox worker: woken by commits in this process, plus a pass over everything due every `intervalMs`. */
  outbox?: { signal: InProcessOutboxSignal; intervalMs?: number };
  /**
   * The queue subscribed to the SES events topic (bootstrapResources): each message is an SNS
   * notification, applied as the email-receipts Lambda applies its SNS event (functions/messaging/ses-events.ts).
   */
  mailEventsQueueUrl?: string;
}): JobPoller => {
  const abort = new AbortController();
  const loops = Object.entries(options.queueUrls).map(([kind, url]) =>
    poll(kind, url as string, (body) => runJob(kind, JSON.parse(body) as Record<string, unknown>, options.deps)),
  );
  if (options.mailEventsQueueUrl) {
    loops.push(
      poll('mail-events', options.mailEventsQueueUrl, async (body) => {
        await applySesEvents(options.deps, { Records: [{ EventSource: 'aws:sns', Sns: JSON.parse(body) }] });
      }),
    );
  }
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  if (options.outbox) loops.push(drainLoop(options.outbox.signal, options.outbox.intervalMs ?? 2000));

  /** One envelope at a time per envelope (its effects are ordered); a wake during a drain drains it again after. */
  function drainSoon(tenantId: string, envelopeId: string) {
    const key = `${tenantId}\n${envelopeId}`;
    if (running.has(key)) {
      again.add(key);
      return;
    }
    const run = (async () => {
      do {
        again.delete(key);
        await drainEnvelopeOutbox(options.deps, tenantId, envelopeId).catch((e) =>
          options.logger.warn('outbox drain failed', { tenantId, envelopeId, error: (e as Error).name }),
        );
      } while (again.has(key) && !abort.signal.aborted);
    })().finally(() => running.delete(key));
    running.set(key, run);
  }

  async function drainLoop(signal: InProcessOutboxSignal, intervalMs: number): Promise<void> {
    let lastPass = 0;
    while (!abort.signal.aborted) {
      for (const { tenantId, envelopeId } of await signal.take(Math.min(intervalMs, 1000), abort.signal)) drainSoon(tenantId, envelopeId);
      if (abort.signal.aborted || Date.now() - lastPass < intervalMs) continue;
      lastPass = Date.now();
      await drainOutbox(options.deps).catch((e) => options.logger.warn('outbox pass failed', { error: (e as Error).name }));
    }
    await Promise.allSettled([...running.values()]);
  }

  async function poll(kind: string, queueUrl: string, handle: (body: string) => Promise<void>): Promise<void> {
    while (!abort.signal.aborted) {
      let messages: Message[];
      try {
        const r = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: options.waitTimeSeconds ?? 2,
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = r.Messages ?? [];
      } catch (e) {
        if (abort.signal.aborted) return;
        options.logger.warn('job queue poll failed', { kind, error: (e as Error).name });
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      // Jobs already received finish even during shutdown: stopping waits for them.
      await Promise.all(messages.map((m) => run(kind, queueUrl, m, handle)));
    }
  }

  async function run(kind: string, queueUrl: string, message: Message, handle: (body: string) => Promise<void>): Promise<void> {
    try {
      await handle(message.Body ?? '{}');
      await options.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    } catch (e) {
      options.logger.warn('job failed, returned to its queue', {
        kind,
        messageId: message.MessageId,
        error: (e as Error).name,
        reason: (e as Error).message.slice(0, 200),
      });
    }
  }

  return {
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
};
