import { escapeHtml } from '../../web/shared/html.js';
import type { MailMessage } from '../envelope/ports.js';
import { signRequestEmail } from './templates.js';

/** A plain two-language notice: Vietnamese first, English below. */
export const notice = (to: string, subject: string, vi: string[], en: string[]): MailMessage => ({
  to,
  subject,
  text: [...vi, '', '---', ...en].join('\n'),
  html: `<!doctype html><html lang="vi"><body style="font-family:Arial,sans-serif;color:#1a1a1a">${vi
    .map((l) => `<p>${escapeHtml(l)}</p>`)
    .join('')}<hr>${en.map((l) => `<p style="color:#555">${escapeHtml(l)}</p>`).join('')}</body></html>`,
});

export const otpEmail = (input: { to: string; recipientName: string; title: string; code: string; minutes: number }): MailMessage =>
  notice(
    input.to,
    `Mã xác thực: ${input.code} / Verification code`,
    [
      `Xin chào ${input.recipientName},`,
      `Mã xác thực để ký "${input.title}" là: ${input.code}`,
      `Mã có hiệu lực trong ${input.minutes} phút. Không chia sẻ mã này với bất kỳ ai.`,
    ],
    [`Your code to sign "${input.title}" is ${input.code}. It is valid for ${input.minutes} minutes. Do not share it.`],
  );

export const reminderEmail = (input: Parameters<typeof signRequestEmail>[0], role = 'signer'): MailMessage => {
  const m = linkEmailFor(role)(input);
  return { ...m, subject: `Nhắc nhở: ${m.subject} / Reminder` };
};

export const declinedEmail = (input: { to: string; title: string; who: string; reason: string }): MailMessage =>
  notice(
    input.to,
    `Đã từ chối: ${input.title} / Declined: ${input.title}`,
    [`${input.who} đã từ chối "${input.title}". Lý do: ${input.reason}`, 'Tài liệu đã bị hủy; các liên kết ký không còn hiệu lực.'],
    [`${input.who} declined "${input.title}". Reason: ${input.reason}`, 'The envelope has ended; its signing links no longer work.'],
  );

export const voidedEmail = (input: { to: string; title: string; senderName: string; reason: string }): MailMessage =>
  notice(
    input.to,
    `Đã hủy: ${input.title} / Voided: ${input.title}`,
    [`${input.senderName} đã hủy "${input.title}". Lý do: ${input.reason}`, 'Liên kết ký trước đây không còn hiệu lực.'],
    [`${input.senderName} voided "${input.title}". Reason: ${input.reason}`, 'Earlier signing links no longer work.'],
  );

export const expiredEmail = (input: { to: string; title: string }): MailMessage =>
  notice(
    input.to,
    `Đã hết hạn: ${input.title} / Expired: ${input.title}`,
    [`"${input.title}" đã hết hạn trước khi tất cả các bên hoàn tất.`],
    [`"${input.title}" expired before everyone had finished.`],
  );

/** "Please review and approve" for an approver: same link, different words (no signature is asked for). */
export const approvalRequestEmail = (input: Parameters<typeof signRequestEmail>[0]): MailMessage =>
  notice(
    input.to,
    `Yêu cầu phê duyệt: ${input.title} / Please approve: ${input.title}`,
    [
      `Xin chào ${input.recipientName},`,
      `${input.senderName} đề nghị bạn xem xét và phê duyệt tài liệu "${input.title}" (hoặc từ chối, kèm lý do).`,
      `Mở liên kết sau: ${input.link}`,
      'Liên kết này chỉ dành cho bạn, vui lòng không chuyển tiếp email này.',
    ],
    [
      `Hello ${input.recipientName}, ${input.senderName} asks you to review and approve "${input.title}" (or decline, with a reason).`,
      `Open this link: ${input.link}`,
      'This link is personal to you; please do not forward this email.',
    ],
  );

/** The link email for a recipient's role: approvers are asked to approve, everyone else to sign. */
export const linkEmailFor = (role: string): typeof signRequestEmail => (role === 'approver' ? approvalRequestEmail : signRequestEmail);
