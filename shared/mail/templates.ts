import { escapeHtml } from '../../web/shared/html.js';
import type { MailMessage } from '../envelope/ports.js';

/** "Please sign" email: Vietnamese first, English below, the link in both text and HTML. */
export const signRequestEmail = (input: {
  to: string;
  recipientName: string;
  senderName: string;
  title: string;
  link: string;
}): MailMessage => {
  const subject = `Yêu cầu ký: ${input.title} / Please sign: ${input.title}`;
  const text = [
    `Xin chào ${input.recipientName},`,
    '',
    `${input.senderName} mời bạn xem và ký tài liệu "${input.title}".`,
    `Mở liên kết sau để ký: ${input.link}`,
    'Liên kết này chỉ dành cho bạn, vui lòng không chuyển tiếp email này.',
    '',
    '---',
    `Hello ${input.recipientName},`,
    `${input.senderName} invites you to review and sign "${input.title}".`,
    `Open this link to sign: ${input.link}`,
    'This link is personal to you; please do not forward this email.',
  ].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html lang="vi"><body style="font-family:Arial,sans-serif;color:#1a1a1a">
<p>Xin chào ${e(input.recipientName)},</p>
<p>${e(input.senderName)} mời bạn xem và ký tài liệu <b>${e(input.title)}</b>.</p>
<p><a href="${e(input.link)}" style="display:inline-block;background:#1d4ed8;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none">Xem và ký / Review and sign</a></p>
<p style="color:#555">Liên kết này chỉ dành cho bạn, vui lòng không chuyển tiếp email này.<br>This link is personal to you; please do not forward this email.</p>
</body></html>`;
  return { to: input.to, subject, text, html };
};

export const completedEmail = (input: { to: string; recipientName: string; title: string; link?: string }): MailMessage => {
  const subject = `Đã hoàn tất: ${input.title} / Completed: ${input.title}`;
  const text = [
    `Xin chào ${input.recipientName},`,
    `Tất cả các bên đã ký "${input.title}".${input.link ? ` Tải tài liệu đã ký: ${input.link}` : ''}`,
    '',
    '---',
    `Everyone has signed "${input.title}".${input.link ? ` Download the signed document: ${input.link}` : ''}`,
  ].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html lang="vi"><body style="font-family:Arial,sans-serif">
<p>Xin chào ${e(input.recipientName)},</p><p>Tất cả các bên đã ký <b>${e(input.title)}</b>.</p>
${input.link ? `<p><a href="${e(input.link)}">Tải tài liệu đã ký / Download the signed document</a></p>` : ''}
<p style="color:#555">Everyone has signed "${e(input.title)}".</p></body></html>`;
  return { to: input.to, subject, text, html };
};
