import { runScheduledTask, SCHEDULED_TASKS, type ScheduledTaskName, type SweepResult } from '../../shared/envelope/scheduled-tasks.js';
import { composeAppDeps } from '../compose.js';
import { loadConfig } from '../config.js';
import { createLogger, withLambdaContext } from '../logger.js';

const logger = createLogger('kyso-scheduler');

/** The input each EventBridge Scheduler schedule sends (see infra/constructs/schedules.ts). */
export interface ScheduledTask {
  readonly task: ScheduledTaskName;
}

let deps: ReturnType<typeof composeAppDeps> | undefined;

/**
 * Entry point of the scheduler: `reminders` (due reminders, plus routing repair: recipients
 * whose turn came but were never notified, seals not yet applied) and `expiry` (overdue
 * envelopes). The sweeps are shared/envelope/scheduled-tasks.ts; locally the same code runs
 * through POST /dev/scheduler/{task}.
 */
export const handler = withLambdaContext(logger, async (event: ScheduledTask): Promise<SweepResult> => {
  deps ??= composeAppDeps(loadConfig(), { logger });
  // The outbox repair sweep is not here: it runs on the outbox function (functions/worker/outbox-stream.ts),
  // whose role holds what performing effects needs; this one has no KMS Sign nor S3.
  if (!SCHEDULED_TASKS.includes(event.task)) throw new Error(`unknown scheduler task "${String(event.task)}"`);
  const result = await runScheduledTask(deps, event.task);
  logger.info('scheduler sweep done', { ...result });
  return result;
});
