import { describe, expect, it } from 'vitest';
import { normalizeVietnamesePhone } from '../../../shared/messaging/phone.js';
import { isGsm7, SMS_SEGMENT, smsInvitation, smsOtp, unaccent } from '../../../shared/messaging/sms-text.js';

describe('Vietnamese mobile numbers', () => {
  it.each([
    ['0912 345 678', '+84912345678'],
    ['+84912345678', '+84912345678'],
    ['84912345678', '+84912345678'],
    ['0084-912-345-678', '+84912345678'],
    ['(091) 234.5678', '+84912345678'],
    ['0321234567', '+84321234567'],
    ['0861234567', '+84861234567'],
    ['+84 70 123 4567', '+84701234567'],
  ])('%s → %s', (input, e164) => expect(normalizeVietnamesePhone(input)).toBe(e164));

  it.each([
    '0123456789', // retired 11-digit era prefix
    '02412345678', // Hà Nội landline
    '091234567', // too short
    '09123456789', // too long
    '+14155550100',
    '8491234567',
    '+84 012 345 678',
    '0912345678x',
    '',
    '٠٩١٢٣٤٥٦٧٨',
  ])('refuses %j', (input) => expect(normalizeVietnamesePhone(input)).toBeUndefined());
});

describe('the SMS form', () => {
  it('drops diacritics (đ → d) and stays in GSM-7', () => {
    expect(unaccent('Nguyễn Văn Đức ký “Hợp đồng” – ngày 1')).toBe('Nguyen Van Duc ky "Hop dong" - ngay 1');
    expect(isGsm7('Hợp đồng')).toBe(false);
    expect(isGsm7('Hop dong')).toBe(true);
  });

  it('fits one segment: long titles are shortened, the link never', () => {
    const link = `https://kyso.example.vn/s/${'A'.repeat(43)}`;
    const text = smsInvitation({
      senderName: 'Công ty TNHH Dệt May Thành Công',
      title: 'Hợp đồng lao động '.repeat(10),
      link,
      role: 'signer',
    });
    expect(text.length).toBeLessThanOrEqual(SMS_SEGMENT);
    expect(text.endsWith(link)).toBe(true);
    expect(isGsm7(text)).toBe(true);
    expect(smsOtp({ code: '012345', minutes: 10 })).toContain('012345');
  });
});
