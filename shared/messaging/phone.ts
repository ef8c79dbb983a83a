import { AppError } from '../errors.js';

/**
 * Vietnamese mobile numbers as people write them — `0912 345 678`, `+84 912 345 678`,
 * `84912345678`, `0084-912-345-678`, `(091) 234 5678` — to E.164 (`+84` and 9 digits).
 * Only mobile ranges are accepted (after the 2018 renumbering: 03x, 05x, 07x, 08x, 09x);
 * landlines and the retired 11-digit 01xx numbers cannot receive SMS or Zalo, so they are refused.
 */
const MOBILE = /^(3[2-9]|5[25689]|7[06-9]|8[1-9]|9\d)\d{7}$/;

export const normalizeVietnamesePhone = (input: string): string | undefined => {
  const compact = input.trim().replace(/[\s.\-()]/g, '');
  if (!/^\+?\d{9,15}$/.test(compact)) return undefined;
  const national = compact.startsWith('+84')
    ? compact.slice(3)
    : compact.startsWith('0084')
      ? compact.slice(4)
      : compact.startsWith('84') && compact.length === 11
        ? compact.slice(2)
        : compact.startsWith('0') && compact.length === 10
          ? compact.slice(1)
          : undefined;
  return national && MOBILE.test(national) ? `+84${national}` : undefined;
};

/** Same, for request input: a clear 400 with a stable code. */
export const requireVietnamesePhone = (input: string, where: string): string => {
  const phone = normalizeVietnamesePhone(input);
  if (!phone) {
    throw new AppError(
      'invalid_phone',
      `${where}: "${input.slice(0, 32)}" is not a Vietnamese mobile number (e.g. 0912 345 678 or +84912345678).`,
    );
  }
  return phone;
};

/** For people reading a screen: `+84 912 345 678`; for logs and the audit trail nothing more than the last 3 digits. */
export const maskPhone = (e164: string): string => `${e164.slice(0, 3)}•••••${e164.slice(-3)}`;
