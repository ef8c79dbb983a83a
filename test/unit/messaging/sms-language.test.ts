import { describe, expect, it } from 'vitest';
import { isGsm7, SMS_SEGMENT, smsCompleted, smsInvitation, smsOtp, smsReminder } from '../../../shared/messaging/sms-text.js';

/** An SMS carries one language: the envelope's (default vi, unaccented); en envelopes get English. */
describe('SMS in the envelope language', () => {
  const link = `https://kyso.example.vn/s/${'A'.repeat(43)}`;
  const input = { senderName: 'Công ty TNHH Thử Nghiệm', title: 'Hợp đồng lao động', link, role: 'signer' };

  it('is Vietnamese by default and English for en, both GSM-7 in one segment with the whole link', () => {
    expect(smsInvitation(input)).toBe(`Cong ty TNHH Thu Nghiem moi ban ky "Hop dong lao dong". Mo: ${link}`);
    expect(smsInvitation(input, 'en')).toBe(`Cong ty TNHH Thu Nghiem asks you to sign "Hop dong lao dong". Open: ${link}`);
    expect(smsInvitation({ ...input, role: 'approver' }, 'en')).toContain('asks you to approve');
    expect(smsReminder(input, 'en')).toBe(`Reminder: sign "Hop dong lao dong". Open: ${link}`);
    expect(smsOtp({ code: '012345', minutes: 10 }, 'en')).toBe(
      'Kyso: your verification code is 012345, valid for 10 minutes. Do not share it with anyone.',
    );
    expect(smsCompleted({ title: 'Hợp đồng', link }, 'en')).toBe(`Everyone has signed "Hop dong". Download: ${link}`);
    const long = smsInvitation({ ...input, title: 'Hợp đồng lao động '.repeat(10) }, 'en');
    expect(long.length).toBeLessThanOrEqual(SMS_SEGMENT);
    expect(long.endsWith(link)).toBe(true);
    expect(isGsm7(long)).toBe(true);
  });
});
