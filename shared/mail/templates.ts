import { escapeHtml } from '../../web/shared/html.js';
import type { MailMessage } from '../envelope/ports.js';

/** The envelope's language (shared/envelope/types.ts EnvelopeLanguage): it decides the subject and what comes first. */
export type MailLanguage = 'vi' | 'en';

/** One language's part of a message. */
export interface MailPart {
  readonly subject: string;
  readonly lines: readonly string[];
  /** A button in the HTML part (the link is also in `lines` for the text part). */
  readonly action?: { readonly href: string; readonly label: string };
  /** Small print under the button. */
  readonly footer?: string;
}

/**
 * A message in the envelope's language: its subject, and its text first; the other language
 * follows below a line (`brief`: a shorter version, without the link), so a recipient who reads
 * only the other one is not lost. Vietnamese by default.
 */
export const bilingualMail = (
  to: string,
  language: MailLanguage | undefined,
  parts: {
    readonly vi: MailPart;
    readonly en: MailPart;
    readonly brief?: { readonly vi?: readonly string[]; readonly en?: readonly string[] };
  },
): MailMessage => {
  const lang: MailLanguage = language === 'en' ? 'en' : 'vi';
  const other: MailLanguage = lang === 'en' ? 'vi' : 'en';
  const first = parts[lang];
  const second = parts.brief?.[other] ?? parts[other].lines;
  const e = escapeHtml;
  const text = [...first.lines, ...(first.footer ? [first.footer] : []), '', '---', ...second].join('\n');
  const button = first.action
    ? `<p><a href="${e(first.action.href)}" style="display:inline-block;background:#1d4ed8;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none">${e(first.action.label)}</a></p>`
    : '';
  const html = `<!doctype html><html lang="${lang}"><body style="font-family:Arial,sans-serif;color:#1a1a1a">
${first.lines
  .filter((l) => !first.action || !l.includes(first.action.href))
  .map((l) => `<p>${e(l)}</p>`)
  .join('\n')}
${button}${first.footer ? `<p style="color:#555">${e(first.footer)}</p>` : ''}
<hr><div lang="${other}" style="color:#555">${second.map((l) => `<p>${e(l)}</p>`).join('')}</div>
</body></html>`;
  return { to, subject: first.subject, text, html };
};

export interface LinkMailInput {
  readonly to: string;
  readonly recipientName: string;
  readonly senderName: string;
  readonly title: string;
  readonly link: string;
  readonly language?: MailLanguage;
}

/** "Please sign" email, with the link in the text and as a button. */
export const signRequestEmail = (input: LinkMailInput): MailMessage =>
  bilingualMail(input.to, input.language, {
    vi: {
      subject: `Yêu cầu ký: ${input.title}`,
      lines: [
        `Xin chào ${input.recipientName},`,
        `${input.senderName} mời bạn xem và ký tài liệu "${input.title}".`,
        `Mở liên kết sau để ký: ${input.link}`,
      ],
      action: { href: input.link, label: 'Xem và ký' },
      footer: 'Liên kết này chỉ dành cho bạn, vui lòng không chuyển tiếp email này.',
    },
    en: {
      subject: `Please sign: ${input.title}`,
      lines: [
        `Hello ${input.recipientName},`,
        `${input.senderName} invites you to review and sign "${input.title}".`,
        `Open this link to sign: ${input.link}`,
      ],
      action: { href: input.link, label: 'Review and sign' },
      footer: 'This link is personal to you; please do not forward this email.',
    },
    brief: {
      vi: [`${input.senderName} mời bạn xem và ký "${input.title}" (liên kết ở trên, chỉ dành cho bạn).`],
      en: [`${input.senderName} invites you to review and sign "${input.title}" (the link above is personal to you).`],
    },
  });

export const completedEmail = (input: {
  to: string;
  recipientName: string;
  title: string;
  link?: string;
  language?: MailLanguage;
}): MailMessage =>
  bilingualMail(input.to, input.language, {
    vi: {
      subject: `Đã hoàn tất: ${input.title}`,
      lines: [
        `Xin chào ${input.recipientName},`,
        `Tất cả các bên đã ký "${input.title}".${input.link ? ` Tải tài liệu đã ký: ${input.link}` : ''}`,
      ],
      ...(input.link ? { action: { href: input.link, label: 'Tải tài liệu đã ký' } } : {}),
    },
    en: {
      subject: `Completed: ${input.title}`,
      lines: [
        `Hello ${input.recipientName},`,
        `Everyone has signed "${input.title}".${input.link ? ` Download the signed document: ${input.link}` : ''}`,
      ],
      ...(input.link ? { action: { href: input.link, label: 'Download the signed document' } } : {}),
    },
    brief: { vi: [`Tất cả các bên đã ký "${input.title}".`], en: [`Everyone has signed "${input.title}".`] },
  });
