import type { MailMessage } from '../envelope/ports.js';
import { bilingualMail, type LinkMailInput, type MailLanguage, signRequestEmail } from './templates.js';

/** A plain notice: the envelope's language first (subject included), the other below. */
export const notice = (
  to: string,
  language: MailLanguage | undefined,
  vi: { subject: string; lines: string[] },
  en: { subject: string; lines: string[] },
): MailMessage => bilingualMail(to, language, { vi, en });

export const otpEmail = (input: {
  to: string;
  recipientName: string;
  title: string;
  code: string;
  minutes: number;
  language?: MailLanguage;
}): MailMessage =>
  notice(
    input.to,
    input.language,
    {
      subject: `Mã xác thực: ${input.code}`,
      lines: [
        `Xin chào ${input.recipientName},`,
        `Mã xác thực để ký "${input.title}" là: ${input.code}`,
        `Mã có hiệu lực trong ${input.minutes} phút. Không chia sẻ mã này với bất kỳ ai.`,
      ],
    },
    {
      subject: `Verification code: ${input.code}`,
      lines: [
        `Hello ${input.recipientName},`,
        `Your code to sign "${input.title}" is ${input.code}.`,
        `It is valid for ${input.minutes} minutes. Do not share it with anyone.`,
      ],
    },
  );

export const reminderEmail = (input: LinkMailInput, role = 'signer'): MailMessage => {
  const m = linkEmailFor(role)(input);
  return { ...m, subject: input.language === 'en' ? `Reminder: ${m.subject}` : `Nhắc nhở: ${m.subject}` };
};

export const declinedEmail = (input: { to: string; title: string; who: string; reason: string; language?: MailLanguage }): MailMessage =>
  notice(
    input.to,
    input.language,
    {
      subject: `Đã từ chối: ${input.title}`,
      lines: [
        `${input.who} đã từ chối "${input.title}". Lý do: ${input.reason}`,
        'Tài liệu đã bị hủy; các liên kết ký không còn hiệu lực.',
      ],
    },
    {
      subject: `Declined: ${input.title}`,
      lines: [
        `${input.who} declined "${input.title}". Reason: ${input.reason}`,
        'The envelope has ended; its signing links no longer work.',
      ],
    },
  );

export const voidedEmail = (input: {
  to: string;
  title: string;
  senderName: string;
  reason: string;
  language?: MailLanguage;
}): MailMessage =>
  notice(
    input.to,
    input.language,
    {
      subject: `Đã hủy: ${input.title}`,
      lines: [`${input.senderName} đã hủy "${input.title}". Lý do: ${input.reason}`, 'Liên kết ký trước đây không còn hiệu lực.'],
    },
    {
      subject: `Voided: ${input.title}`,
      lines: [`${input.senderName} voided "${input.title}". Reason: ${input.reason}`, 'Earlier signing links no longer work.'],
    },
  );

export const expiredEmail = (input: { to: string; title: string; language?: MailLanguage }): MailMessage =>
  notice(
    input.to,
    input.language,
    { subject: `Đã hết hạn: ${input.title}`, lines: [`"${input.title}" đã hết hạn trước khi tất cả các bên hoàn tất.`] },
    { subject: `Expired: ${input.title}`, lines: [`"${input.title}" expired before everyone had finished.`] },
  );

/** "Please review and approve" for an approver: same link, different words (no signature is asked for). */
export const approvalRequestEmail = (input: LinkMailInput): MailMessage =>
  bilingualMail(input.to, input.language, {
    vi: {
      subject: `Yêu cầu phê duyệt: ${input.title}`,
      lines: [
        `Xin chào ${input.recipientName},`,
        `${input.senderName} đề nghị bạn xem xét và phê duyệt tài liệu "${input.title}" (hoặc từ chối, kèm lý do).`,
        `Mở liên kết sau: ${input.link}`,
      ],
      action: { href: input.link, label: 'Xem và phê duyệt' },
      footer: 'Liên kết này chỉ dành cho bạn, vui lòng không chuyển tiếp email này.',
    },
    en: {
      subject: `Please approve: ${input.title}`,
      lines: [
        `Hello ${input.recipientName},`,
        `${input.senderName} asks you to review and approve "${input.title}" (or decline, with a reason).`,
        `Open this link: ${input.link}`,
      ],
      action: { href: input.link, label: 'Review and approve' },
      footer: 'This link is personal to you; please do not forward this email.',
    },
    brief: {
      vi: [`${input.senderName} đề nghị bạn phê duyệt "${input.title}" (liên kết ở trên, chỉ dành cho bạn).`],
      en: [`${input.senderName} asks you to approve "${input.title}" (the link above is personal to you).`],
    },
  });

/** The link email for a recipient's role: approvers are asked to approve, everyone else to sign. */
export const linkEmailFor = (role: string): typeof signRequestEmail => (role === 'approver' ? approvalRequestEmail : signRequestEmail);
