import { DeleteMessageBatchCommand, DeleteMessageCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JobKind } from '../../shared/jobs/ports.js';
import type { Logger } from '../logger.js';
import { applySesEvents } from '../messaging/apply-ses-events.js';
import { drainEnvelopeOutbox } from '../worker/effects.js';
import { type JobDeps, runJob } from '../worker/jobs.js';
import type { InProcessOutboxSignal } from '../worker/outbox-signal.js';
import { drainScheduler } from './drain-scheduler.js';

/** While woken envelopes wait for a place, the periodic pass runs at most this often. */
const BUSY_PASS_MS = 30_000;

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
  outbox?: {
    signal: InProcessOutboxSignal;
    intervalMs?: number;
    /** At most this many envelopes drained at once (default 8). */
    maxConcurrentDrains?: number;
  };
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
  const drains = drainScheduler(
    (tenantId, envelopeId) =>
      drainEnvelopeOutbox(options.deps, tenantId, envelopeId).catch((e) =>
        options.logger.warn('outbox drain failed', { tenantId, envelopeId, error: (e as Error).name }),
      ),
    { max: options.outbox?.maxConcurrentDrains ?? 8, stopped: () => abort.signal.aborted },
  );
  if (options.outbox) loops.push(drainLoop(options.outbox.signal, options.outbox.intervalMs ?? 2000));

  /**
   * Every `intervalMs`, what is due (postponed items whose time came, items no wake reached) is
   * offered to the scheduler, envelope by envelope: one under way or waiting is not drained twice.
   * While woken envelopes wait for a place the pass is skipped (at most `BUSY_PASS_MS` apart): the
   * wakes are draining the backlog, and the pass reads every outbox shard whole.
   */
  async function drainLoop(signal: InProcessOutboxSignal, intervalMs: number): Promise<void> {
    let lastPass = 0;
    while (!abort.signal.aborted) {
      for (const { tenantId, envelopeId } of await signal.take(Math.min(intervalMs, 1000), abort.signal)) drains.wake(tenantId, envelopeId);
      const since = Date.now() - lastPass;
      if (abort.signal.aborted || since < intervalMs || (drains.waiting > 0 && since < BUSY_PASS_MS)) continue;
      lastPass = Date.now();
      try {
        for (const item of await options.deps.outbox.due(new Date(), 200)) drains.offer(item.tenantId, item.envelopeId);
      } catch (e) {
        options.logger.warn('outbox pass failed', { error: (e as Error).name });
      }
    }
    await drains.settled();
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
      const done = (await Promise.all(messages.map(async (m) => ((await run(kind, m, handle)) ? [m] : [])))).flat();
      await remove(kind, queueUrl, done);
    }
  }

  /** Runs one job; true if it resolved (it is then deleted), false if it threw (it comes back after the visibility timeout). */
  async function run(kind: string, message: Message, handle: (body: string) => Promise<void>): Promise<boolean> {
    try {
      await handle(message.Body ?? '{}');
      return true;
    } catch (e) {
      options.logger.warn('job failed, returned to its queue', {
        kind,
        messageId: message.MessageId,
        error: (e as Error).name,
        reason: (e as Error).message.slice(0, 200),
      });
      return false;
    }
  }

  /**
   * Deletes the jobs done, the ones of one receive in one call (as the Lambda event source
   * deletes a batch). One not deleted comes back after the visibility timeout and runs again,
   * which every job allows.
   */
  async function remove(kind: string, queueUrl: string, done: readonly Message[]): Promise<void> {
    try {
      if (done.length === 1) {
        await options.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: done[0]?.ReceiptHandle }));
      } else if (done.length > 1) {
        const r = await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        if (r.Failed?.length) options.logger.warn('done jobs not deleted, they will run again', { kind, count: r.Failed.length });
      }
    } catch (e) {
      options.logger.warn('done jobs not deleted, they will run again', { kind, count: done.length, error: (e as Error).name });
    }
  }

  return {
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
};
