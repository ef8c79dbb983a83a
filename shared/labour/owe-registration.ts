import type { Envelope } from '../envelope/types.js';

/**
 * The registration a completing write owes (shared/envelope/complete-envelope.ts): the
 * `pending` registration is part of the same conditional write as `completed`, and that
 * commit owes a `labour-registration` outbox item, which the worker turns into deliveries.
 */
export const oweRegistration = (completed: Envelope): Envelope =>
  completed.labourContract && !completed.labourContract.registration
    ? {
        ...completed,
        labourContract: {
          ...completed.labourContract,
          registration: { status: 'pending', owedSince: completed.completedAt ?? completed.updatedAt, attempts: 0 },
        },
      }
    : completed;
