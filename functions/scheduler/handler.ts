import { jsonLogger } from '../logger.js';

const logger = jsonLogger('kyso-scheduler');

/** The input each EventBridge Scheduler schedule sends (see infra/constructs/schedules.ts). */
export interface ScheduledTask {
  readonly task: 'reminders' | 'expiry';
}

/**
 * PLACEHOLDER entry point of the scheduler (reminders, expiry), so the stack can wire the
 * schedules now. The workflow issue fills in the sweeps; until then it only logs the task.
 */
export const handler = async (event: ScheduledTask): Promise<{ task: string; processed: number }> => {
  logger.info('scheduler not implemented: nothing swept', { task: event.task, count: 1 });
  return { task: event.task, processed: 0 };
};
