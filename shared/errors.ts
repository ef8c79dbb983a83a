/**
 * The one error type of the domain. Every failure a caller can cause carries a stable
 * `code`; the API maps codes to HTTP statuses in one place (functions/api/errors.ts).
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  invalid_pdf: 422,
  encrypted_pdf: 422,
  empty_document: 400,
  unknown_recipient: 400,
  unknown_document: 400,
  field_off_page: 400,
  missing_signature_field: 400,
  invalid_field_value: 400,
  /** Body of POST /tsa is not a DER TimeStampReq at all (well-formed but unacceptable ones get an RFC 3161 rejection). */
  invalid_timestamp_request: 400,
  unsupported_hash_algorithm: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  envelope_not_found: 404,
  token_invalid: 404,
  token_used: 409,
  token_expired: 410,
  conflict: 409,
  invalid_state: 409,
  not_your_turn: 409,
  already_signed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
  /** An external TSA did not answer, or answered with something we cannot use. */
  timestamp_authority_failed: 502,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
