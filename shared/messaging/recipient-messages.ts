import type { EnvelopeLanguage, Recipient } from '../envelope/types.js';
import { completedEmail } from '../mail/templates.js';
import { linkEmailFor, otpEmail, reminderEmail } from '../mail/workflow-templates.js';
import type { RecipientMessage } from './deliver.js';
import { smsCompleted, smsInvitation, smsOtp, smsReminder } from './sms-text.js';

/**
 * Each notice in its three forms: the bilingual email, the unaccented one-segment SMS, and the
 * ZNS template parameters (Vietnamese with diacritics; the approved templates name them).
 */
interface LinkNotice {
  readonly senderName: string;
  readonly title: string;
  readonly link: string;
  /** The envelope's language: the SMS is in it, and the email is in it first (the other language below). */
  readonly language?: EnvelopeLanguage;
}

export const invitationMessage = (r: Recipient, n: LinkNotice): RecipientMessage => ({
  kind: 'invitation',
  mail: linkEmailFor(r.role)({ to: r.email, recipientName: r.name, ...n }),
  sms: smsInvitation({ ...n, role: r.role }, n.language),
  zalo: { customer_name: r.name, sender_name: n.senderName, title: n.title, link: n.link },
});

export const reminderMessage = (r: Recipient, n: LinkNotice): RecipientMessage => ({
  kind: 'reminder',
  mail: reminderEmail({ to: r.email, recipientName: r.name, ...n }, r.role),
  sms: smsReminder({ ...n, role: r.role }, n.language),
  zalo: { customer_name: r.name, sender_name: n.senderName, title: n.title, link: n.link },
});

export const otpMessage = (
  r: Recipient,
  n: { title: string; code: string; minutes: number; language?: EnvelopeLanguage },
): RecipientMessage => ({
  kind: 'otp',
  mail: otpEmail({ to: r.email, recipientName: r.name, ...n }),
  sms: smsOtp(n, n.language),
  zalo: { otp: n.code },
});

export const completedMessage = (r: Recipient, n: { title: string; link?: string; language?: EnvelopeLanguage }): RecipientMessage => ({
  kind: 'completed',
  mail: completedEmail({ to: r.email, recipientName: r.name, ...n }),
  sms: smsCompleted(n, n.language),
  zalo: { customer_name: r.name, title: n.title, ...(n.link ? { link: n.link } : {}) },
});
