import { describe, expect, it } from 'vitest';
import { activeOrder, assertCanSign, isComplete, recipientsToNotify } from '../../../shared/envelope/routing.js';
import type { Envelope, Recipient } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';

const r = (id: string, order: number, status: Recipient['status'] = 'pending'): Recipient => ({
  id,
  name: id,
  email: `${id}@x.vn`,
  role: 'signer',
  order,
  status,
});
const env = (recipients: Recipient[], status: Envelope['status'] = 'sent'): Envelope => ({
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
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as AppError).code;
  }
};

describe('routing order', () => {
  it('runs equal orders in parallel and waits for every lower order', () => {
    const e = env([r('a', 1, 'signed'), r('b', 2), r('c', 2, 'notified'), r('d', 3)]);
    expect(activeOrder(e)).toBe(2);
    expect(recipientsToNotify(e).map((x) => x.id)).toEqual(['b']);
    expect(isComplete(e)).toBe(false);
    expect(isComplete(env([r('a', 1, 'signed')]))).toBe(true);
  });

  it('refuses out of turn, twice, and when the envelope is not out for signing', () => {
    const e = env([r('a', 1, 'notified'), r('b', 2, 'notified'), r('c', 1, 'signed')]);
    expect(codeOf(() => assertCanSign(e, 'a'))).toBe('ok');
    expect(codeOf(() => assertCanSign(e, 'b'))).toBe('not_your_turn');
    expect(codeOf(() => assertCanSign(e, 'c'))).toBe('already_signed');
    expect(codeOf(() => assertCanSign(e, 'zz'))).toBe('token_invalid');
    expect(codeOf(() => assertCanSign(env([r('a', 1)], 'draft'), 'a'))).toBe('invalid_state');
    expect(new AppError('not_your_turn', 'x').status).toBe(409);
  });
});
