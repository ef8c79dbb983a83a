import { describe, expect, it } from 'vitest';
import { activeOrder, assertCanAct, assertCanSign, isComplete, recipientsToNotify } from '../../../shared/envelope/routing.js';
import { isReminderDue } from '../../../shared/envelope/scheduled-tasks.js';
import type { Envelope, Recipient } from '../../../shared/envelope/types.js';
import type { AppError } from '../../../shared/errors.js';

const r = (
  id: string,
  role: Recipient['role'],
  order: number,
  status: Recipient['status'] = 'pending',
  extra: Partial<Recipient> = {},
): Recipient => ({
  id,
  name: id,
  email: role === 'seal' ? '' : `${id}@x.vn`,
  role,
  order,
  status,
  ...extra,
});
const env = (recipients: readonly Recipient[], status: Envelope['status'] = 'sent', extra: Partial<Envelope> = {}): Envelope => ({
  id: 'e',
  tenantId: 't',
  title: 't',
  status,
  version: 1,
  createdAt: '',
  updatedAt: '',
  recipients,
  documents: [],
  fields: [],
  ...extra,
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as AppError).code;
  }
};

describe('routing over mixed roles (1 approver, 2 signer + 2 approver + 2 signer, 3 seal, viewer)', () => {
  const mixed = (s: Partial<Record<string, Recipient['status']>> = {}) =>
    env([
      r('hr', 'approver', 1, s.hr),
      r('a', 'signer', 2, s.a),
      r('b', 'approver', 2, s.b),
      r('c', 'signer', 2, s.c),
      r('seal', 'seal', 3, s.seal),
      r('v', 'viewer', 1, s.v),
    ]);

  it('starts with order 1 and never notifies or waits for a viewer', () => {
    const e = mixed();
    expect(activeOrder(e)).toBe(1);
    expect(recipientsToNotify(e).map((x) => x.id)).toEqual(['hr']);
  });

  it('an approval counts as done: order 2 opens in parallel, all three at once', () => {
    const e = mixed({ hr: 'approved' });
    expect(activeOrder(e)).toBe(2);
    expect(recipientsToNotify(e).map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });

  it('order 3 waits for every one of order 2, then the seal is due', () => {
    expect(activeOrder(mixed({ hr: 'approved', a: 'signed', b: 'approved', c: 'viewed' }))).toBe(2);
    const e = mixed({ hr: 'approved', a: 'signed', b: 'approved', c: 'signed' });
    expect(recipientsToNotify(e).map((x) => x.id)).toEqual(['seal']);
    expect(isComplete(e)).toBe(false);
    expect(isComplete(mixed({ hr: 'approved', a: 'signed', b: 'approved', c: 'signed', seal: 'signed' }))).toBe(true);
  });

  it('notifies nobody unless the envelope is sent', () => {
    expect(recipientsToNotify(env([r('a', 'signer', 1)], 'draft'))).toEqual([]);
    expect(recipientsToNotify(env([r('a', 'signer', 1)], 'voided'))).toEqual([]);
  });

  it('checks the role, the turn and the state of every action', () => {
    const e = mixed({ hr: 'notified', a: 'pending' });
    expect(codeOf(() => assertCanAct(e, 'hr', ['approver']))).toBe('ok');
    expect(codeOf(() => assertCanSign(e, 'hr'))).toBe('wrong_role');
    expect(codeOf(() => assertCanSign(e, 'a'))).toBe('not_your_turn');
    expect(codeOf(() => assertCanAct(mixed({ hr: 'approved' }), 'hr', ['approver']))).toBe('already_signed');
    expect(codeOf(() => assertCanAct(env(e.recipients, 'voided'), 'hr', ['approver']))).toBe('envelope_voided');
    expect(codeOf(() => assertCanAct(env(e.recipients, 'declined'), 'hr', ['approver']))).toBe('envelope_declined');
    expect(codeOf(() => assertCanAct(env(e.recipients, 'expired'), 'hr', ['approver']))).toBe('envelope_expired');
    expect(codeOf(() => assertCanAct(env(e.recipients, 'completed'), 'hr', ['approver']))).toBe('invalid_state');
  });
});

describe('reminders (fixed clock)', () => {
  const notifiedAt = '2026-11-25T00:00:00.000Z';
  const at = (h: number) => new Date(Date.parse(notifiedAt) + h * 3600_000);
  const reminders = { delayHours: 24, intervalHours: 48, max: 2 };
  const one = (extra: Partial<Recipient> = {}, role: Recipient['role'] = 'signer') =>
    env([r('a', role, 1, 'notified', { notifiedAt, ...extra })], 'sent', { reminders });
  const due = (e: Envelope, h: number) => isReminderDue(e, e.recipients[0] as Recipient, at(h));

  it('waits for the delay, then the interval, and stops at max', () => {
    expect(due(one(), 23.9)).toBe(false);
    expect(due(one(), 24)).toBe(true);
    const once = one({ remindersSent: 1, lastRemindedAt: at(24).toISOString() });
    expect(due(once, 71)).toBe(false);
    expect(due(once, 72)).toBe(true);
    expect(due(one({ remindersSent: 2, lastRemindedAt: at(72).toISOString() }), 500)).toBe(false);
  });

  it('never reminds a seal, a viewer, someone who acted, or without options', () => {
    expect(due(one({}, 'seal'), 100)).toBe(false);
    expect(due(one({}, 'viewer'), 100)).toBe(false);
    expect(due(one({ status: 'signed' }), 100)).toBe(false);
    const e = one();
    expect(isReminderDue({ ...e, reminders: undefined } as Envelope, e.recipients[0] as Recipient, at(100))).toBe(false);
    expect(due(one({}, 'approver'), 24)).toBe(true);
  });
});
