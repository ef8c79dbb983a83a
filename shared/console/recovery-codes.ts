import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../util/bytes.js';
import { base32Encode } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;

/**
 * Ten single-use recovery codes, 80 random bits each, shown once as `xxxx-xxxx-xxxx-xxxx`
 * (base32, no 0/1/8/9 confusion). Only their hashes are kept: 80 bits are beyond guessing,
 * online or offline, so a fast salted hash is enough (scrypt is for low-entropy passwords).
 */
export const newRecoveryCodes = (): string[] => Array.from({ length: RECOVERY_CODE_COUNT }, randomCode);

/** 80 random bits as `xxxx-xxxx-xxxx-xxxx` (also an admin-made user's initial password). */
export const randomCode = (): string =>
  (
    base32Encode(new Uint8Array(randomBytes(10)))
      .toLowerCase()
      .match(/.{4}/g) as string[]
  ).join('-');

/** Accepts what people type: any case, with or without the dashes and spaces. */
export const normalizeRecoveryCode = (code: string): string => code.replace(/[\s-]/g, '').toLowerCase();

export const hashRecoveryCode = (userId: string, code: string): string =>
  sha256Hex(`kyso-recovery:${userId}:${normalizeRecoveryCode(code)}`);
