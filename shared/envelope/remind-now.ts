import { AppError } from '../errors.js';
import type { EnvelopeDeps } from './deps.js';
import { canRemindNow, sendReminders } from './scheduled-tasks.js';
import type { Envelope } from './types.js';
import { getEnvelopeOrThrow } from './update-envelope.js';

/** The sender asks for reminders now (besides the scheduled ones); refused when nobody can be reminded. */
export const remindNow = async (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
): Promise<{ envelope: Envelope; reminded: number }> => {
  const envelope = await getEnvelopeOrThrow(deps, tenantId, envelopeId);
  if (envelope.status !== 'sent') throw new AppError('invalid_state', `The envelope is ${envelope.status}; there is nobody to remind.`);
  const reminded = await sendReminders(deps, envelope, canRemindNow, { type: 'tenant', id: tenantId });
  if (reminded === 0) {
    throw new AppError('invalid_state', 'Nobody can be reminded now: everyone whose turn it is was reminded within the last hour.');
  }
  return { envelope: await getEnvelopeOrThrow(deps, tenantId, envelopeId), reminded };
};
