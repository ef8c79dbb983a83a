/**
 * The SMS form. Vietnamese operators bill and route brand-name SMS as GSM-7 (160 characters
 * per segment); UCS-2 with diacritics gives 70 characters per segment and several operators
 * refuse or mangle it on brand-name routes. So SMS is sent unaccented ("không dấu", the
 * convention Vietnamese banks and carriers use) and kept to one segment: the link is never
 * cut, the title is shortened. Zalo (ZNS) keeps full diacritics.
 */
export const SMS_SEGMENT = 160;

/** Vietnamese without diacritics, đ → d, then anything outside GSM-7's basic set replaced. */
export const unaccent = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[“”«»]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(/[–—]/g, '-')
    .replace(/[^A-Za-z0-9 @£$¥!"#%&'()*+,\-./:;<=>?\n_]/g, '');

/** True when every character is in the GSM-7 default alphabet we use (so one segment is 160 characters). */
export const isGsm7 = (s: string): boolean => unaccent(s) === s;

const fitSegment = (build: (title: string) => string, title: string): string => {
  const full = build(title);
  if (full.length <= SMS_SEGMENT) return full;
  const room = Math.max(8, title.length - (full.length - SMS_SEGMENT) - 3);
  return build(`${title.slice(0, room).trimEnd()}...`);
};

/** The envelope's language (shared/envelope/types.ts EnvelopeLanguage); SMS carry one language only. */
type SmsLang = 'vi' | 'en';

export const smsInvitation = (i: { senderName: string; title: string; link: string; role: string }, lang: SmsLang = 'vi'): string =>
  fitSegment(
    (t) =>
      unaccent(
        lang === 'en'
          ? `${i.senderName.slice(0, 30)} asks you to ${i.role === 'approver' ? 'approve' : 'sign'} "${t}". Open: ${i.link}`
          : `${i.senderName.slice(0, 30)} moi ban ${i.role === 'approver' ? 'phe duyet' : 'ky'} "${t}". Mo: ${i.link}`,
      ),
    unaccent(i.title),
  );

export const smsReminder = (i: { senderName: string; title: string; link: string; role: string }, lang: SmsLang = 'vi'): string =>
  fitSegment(
    (t) =>
      unaccent(
        lang === 'en'
          ? `Reminder: ${i.role === 'approver' ? 'approve' : 'sign'} "${t}". Open: ${i.link}`
          : `Nhac: ${i.role === 'approver' ? 'phe duyet' : 'ky'} "${t}". Mo: ${i.link}`,
      ),
    unaccent(i.title),
  );

export const smsOtp = (i: { code: string; minutes: number }, lang: SmsLang = 'vi'): string =>
  unaccent(
    lang === 'en'
      ? `Kyso: your verification code is ${i.code}, valid for ${i.minutes} minutes. Do not share it with anyone.`
      : `Kyso: ma xac thuc cua ban la ${i.code}, hieu luc ${i.minutes} phut. Khong chia se ma nay voi bat ky ai.`,
  );

export const smsCompleted = (i: { title: string; link?: string }, lang: SmsLang = 'vi'): string =>
  fitSegment(
    (t) =>
      unaccent(
        lang === 'en'
          ? `Everyone has signed "${t}".${i.link ? ` Download: ${i.link}` : ''}`
          : `Da hoan tat "${t}".${i.link ? ` Tai ban da ky: ${i.link}` : ''}`,
      ),
    unaccent(i.title),
  );
