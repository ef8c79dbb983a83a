import { KeyProviderError } from './key-provider.js';
import type { AgentTokenErrorCode } from './protocol.js';

/**
 * What can go wrong with a USB token, each with a stable code (the agent's HTTP errors carry
 * it, docs/agent-protocol.md) and a message in Vietnamese first, then English: the person at
 * the agent's terminal and the signer page both show it as it is.
 */
export type TokenErrorCode = AgentTokenErrorCode;

const MESSAGES: Record<TokenErrorCode, { vi: string; en: string }> = {
  pkcs11_unavailable: {
    vi: 'Phần mềm ký chưa có thư viện PKCS#11 (pkcs11js)',
    en: 'the PKCS#11 binding (pkcs11js) is not installed: run npm ci on a machine with a C compiler, or keep pkcs11.node next to the kyso-agent executable',
  },
  module_load_failed: {
    vi: 'Không nạp được thư viện PKCS#11 của USB token',
    en: "cannot load the token's PKCS#11 module",
  },
  token_not_present: { vi: 'Không tìm thấy USB token: hãy cắm token vào máy', en: 'no token found: plug the USB token in' },
  token_removed: {
    vi: 'USB token đã bị rút ra: hãy cắm lại token rồi ký lại (phần mềm sẽ hỏi lại mã PIN)',
    en: 'the USB token was removed: plug it back in and sign again (the agent asks for the PIN again)',
  },
  slot_not_found: { vi: 'Không có khe (slot) chứa token với số đã chọn', en: 'no slot with a token has that number' },
  pin_required: {
    vi: 'Cần nhập mã PIN của token tại cửa sổ của phần mềm ký',
    en: "the token's PIN is needed: run the agent in a terminal to type it",
  },
  pin_incorrect: { vi: 'Mã PIN không đúng', en: 'wrong PIN' },
  pin_locked: {
    vi: 'Mã PIN của token đã bị khóa do nhập sai quá nhiều lần: hãy liên hệ tổ chức cung cấp chứng thư số (CA) để mở khóa',
    en: "the token's PIN is locked after too many wrong tries: ask your certificate authority (CA) to unlock it",
  },
  no_certificate: {
    vi: 'Token không có chứng thư số nào đi kèm khóa bí mật',
    en: 'the token holds no certificate with a matching private key',
  },
  unsupported_key: {
    vi: 'Khóa trên token không được hỗ trợ (chỉ RSA hoặc ECDSA P-256)',
    en: 'unsupported key on the token (RSA or ECDSA P-256 only)',
  },
  token_error: { vi: 'USB token báo lỗi', en: 'the token reported an error' },
};

export class TokenError extends KeyProviderError {
  constructor(
    readonly code: TokenErrorCode,
    /** Names, slot numbers and PKCS#11 return values; never a PIN. */
    readonly detail?: string,
  ) {
    const { vi, en } = MESSAGES[code];
    super(`${vi}. / ${en}${detail ? ` (${detail})` : ''}.`);
  }

  get vi(): string {
    return MESSAGES[this.code].vi;
  }
}

/** The CKR_* name of a pkcs11js error (its message), or undefined for anything else. */
export const ckrOf = (e: unknown): string | undefined => {
  const m = /\b(CKR_[A-Z0-9_]+)/.exec(e instanceof Error ? e.message : '');
  return m?.[1];
};

/** Return values that mean the token is gone (pulled out, or its slot with it). */
export const REMOVAL_CKRS = new Set([
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_SLOT_ID_INVALID',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_DEVICE_ERROR',
]);

/** A PKCS#11 failure as a TokenError with a stable code (the CKR name kept as detail). */
export const tokenErrorOf = (e: unknown): TokenError => {
  if (e instanceof TokenError) return e;
  const ckr = ckrOf(e);
  if (ckr === 'CKR_PIN_INCORRECT' || ckr === 'CKR_PIN_INVALID' || ckr === 'CKR_PIN_LEN_RANGE') return new TokenError('pin_incorrect', ckr);
  if (ckr === 'CKR_PIN_LOCKED') return new TokenError('pin_locked', ckr);
  if (ckr && REMOVAL_CKRS.has(ckr)) return new TokenError('token_removed', ckr);
  return new TokenError('token_error', ckr ?? (e as Error).message);
};
