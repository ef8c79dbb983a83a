import { createHmac } from 'node:crypto';
import type { AuditEvent, Envelope, Recipient } from '../envelope/types.js';
import { AppError } from '../errors.js';
import { requireCitizenId } from '../identity/citizen-id.js';
import { requireVietnamesePhone } from '../messaging/phone.js';
import type { Subject } from './types.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Exactly one identifier, normalised the way recipients are stored: email trimmed and lower
 * case, a Vietnamese mobile as E.164 (shared/messaging/phone.ts), a CCCD as its 12 digits.
 */
export const parseSubject = (input: { email?: string; phone?: string; idNumber?: string }): Subject => {
  const given = (['email', 'phone', 'idNumber'] as const).filter((k) => input[k] !== undefined && input[k] !== '');
  if (given.length !== 1) {
    throw new AppError('invalid_subject', 'Give exactly one of email, phone or idNumber.', { given });
  }
  const kind = given[0] as Subject['kind'];
  const raw = input[kind] as string;
  if (kind === 'phone') return { kind, value: requireVietnamesePhone(raw, 'phone') };
  if (kind === 'idNumber') return { kind, value: requireCitizenId(raw, 'idNumber') };
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw new AppError('invalid_subject', 'email: not an email address.');
  return { kind, value: email };
};

/** Keyed, so a commitment cannot be confirmed by hashing a guessed email; stable per tenant, so requests about one person can be grouped. */
export const subjectCommitment = (subject: Subject, key: string): string =>
  createHmac('sha256', key).update(`kyso-data-subject/v1\n${subject.kind}\n${subject.value}`).digest('hex');

/** Is this recipient the person? Their contact details, the ID they had to prove, the evidence, or the labour contract's CCCD. */
export const isSubject = (subject: Subject, envelope: Envelope, r: Recipient): boolean => {
  if (subject.kind === 'email') return !!r.email && r.email.trim().toLowerCase() === subject.value;
  if (subject.kind === 'phone') return r.phone === subject.value;
  const employee =
    envelope.labourContract?.parties.employeeRecipientId === r.id ? envelope.labourContract.terms.employee.idNumber : undefined;
  return [r.identity?.idNumber, r.identity?.evidence?.idNumber, employee].includes(subject.value);
};

/** Audit events about the person: they acted, or the event names one of their recipient records or their identifier. */
export const isAboutSubject = (subject: Subject, recipientIds: ReadonlySet<string>, e: AuditEvent): boolean => {
  if (e.actor.type === 'recipient' && e.actor.id && recipientIds.has(e.actor.id)) return true;
  const rid = e.data?.recipientId;
  if (typeof rid === 'string' && recipientIds.has(rid)) return true;
  const values = [e.actor.email, e.data?.email, e.data?.previousEmail, e.data?.phone, e.data?.idNumber].filter(
    (v): v is string => typeof v === 'string',
  );
  return values.some((v) => (subject.kind === 'email' ? v.trim().toLowerCase() : v) === subject.value);
};
