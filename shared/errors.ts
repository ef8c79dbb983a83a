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
  /** An approver or viewer with a signature field, a viewer with any field. */
  unexpected_field: 400,
  /** The link's recipient has another role (e.g. an approver trying to sign). */
  wrong_role: 403,
  /** The sender asked for a one-time code or access code and this link has not been verified yet. */
  verification_required: 401,
  /** Wrong or expired one-time / access code. */
  code_invalid: 401,
  /** Too many wrong codes: verification is locked for a while. */
  code_locked: 423,
  rate_limited: 429,
  /** A recipient phone that is not a Vietnamese mobile number (shared/messaging/phone.ts). */
  invalid_phone: 400,
  /** An identity.idNumber that is not a 12-digit citizen ID (CCCD). */
  invalid_id_number: 400,
  /** The sender asked for proof of identity and this recipient has not given it yet. */
  identity_required: 403,
  /** The sender requires a licensed-CA signature (signatureLevel "digital"): sign with a USB token or a remote-signing CA. */
  digital_signature_required: 403,
  /** The proof did not match: another name or ID number, a face that does not match, or fraud suspected (details.reason). */
  identity_mismatch: 422,
  /** Five failed proofs: identity proofing is locked for this recipient (the sender can resend or void). */
  identity_locked: 423,
  /** The identity provider is down or answered something unusable; nothing was counted. */
  identity_provider_unavailable: 503,
  /** This deployment has no identity provider of that kind. */
  identity_not_configured: 409,
  /** A seal recipient, but the tenant has no seal yet (POST /v1/seal). */
  seal_not_provisioned: 409,
  /** Body of POST /tsa is not a DER TimeStampReq at all (well-formed but unacceptable ones get an RFC 3161 rejection). */
  invalid_timestamp_request: 400,
  unsupported_hash_algorithm: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  envelope_not_found: 404,
  token_invalid: 404,
  token_used: 409,
  invalid_allowed_origin: 400,
  invalid_return_url: 400,
  token_expired: 410,
  /** Dead links: the envelope was voided, declined or expired. */
  envelope_voided: 410,
  envelope_declined: 410,
  envelope_expired: 410,
  conflict: 409,
  invalid_state: 409,
  not_your_turn: 409,
  already_signed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** POST /v1/webhooks: an event name outside WEBHOOK_EVENTS (details.known lists them). */
  unknown_webhook_event: 400,
  /** Webhook URLs must be https:// to a public host. */
  invalid_webhook_url: 400,
  /** A request with the same Idempotency-Key is still running. */
  idempotency_in_progress: 409,
  /** The Idempotency-Key was first used with a different request body. */
  idempotency_key_reused: 422,
  internal: 500,
  /** An external TSA did not answer, or answered with something we cannot use. */
  timestamp_authority_failed: 502,
  /** Two-phase signing (own certificate): the returned signature does not verify against the pinned digest. */
  signature_invalid: 422,
  /** The signer's certificate is unusable: wrong key usage, expired, not chaining to the trust list, unsupported key. */
  certificate_rejected: 422,
  signing_session_not_found: 404,
  signing_session_used: 409,
  signing_session_expired: 410,
  /** Another revision was committed after prepare: prepare again on the current document. */
  document_changed: 409,
  /** A remote-signing CA (CSC) refused, or the signer declined on their phone. */
  remote_signing_refused: 422,
  /** A remote-signing CA (CSC) is unreachable or answered something unusable. */
  remote_signing_failed: 502,
  /** The tenant has no remote-signing provider configured. */
  remote_signing_not_configured: 409,
  /** The remote-signing provider id is not one of this tenant's or the deployment's (another tenant's id too). */
  remote_provider_not_found: 404,
  /** A tenant has as many remote-signing providers as it may have (MAX_TENANT_PROVIDERS). */
  remote_provider_limit: 409,
  /** The CA has no signing certificate for the user id the signer gave (a typo, or another CA). */
  remote_signing_unknown_user: 422,
  template_not_found: 404,
  bulk_job_not_found: 404,
  /** Merge fields without a value (details.missing lists them all). */
  missing_merge_values: 400,
  /** A `{{x}}` in a template that its declared mergeFields do not list (details.unknown). */
  unknown_merge_field: 400,
  /** A template field's anchor text does not appear in the rendered document. */
  anchor_not_found: 400,
  /** A URL the server would call (TSA, CSC provider, …) is not https, or names a private/special host or address. */
  url_not_allowed: 400,
  /** A PDF over the pre-scan's limits (inflated size, per-stream size, object count): refused before it is parsed. */
  pdf_too_complex: 422,
  /** A PDF with JavaScript, OpenAction/AA actions, embedded files, XFA or launch actions. */
  active_content: 422,
  /** CR/LF or another control character in a title, name or subject. */
  control_characters: 400,
  /** KYSO_TSA_REQUIRED=external and no external TSA answered: nothing was stored. */
  timestamp_unavailable: 503,
  /** An AWS dependency (DynamoDB, S3, KMS, SQS, …) is down, timing out or throttling after the SDK's retries: retry after Retry-After. */
  service_unavailable: 503,
  /** `labourContract` fails a rule of Decree 337 / the Labour Code (details.field names the field). */
  invalid_labour_contract: 400,
  /** An appendix or termination refers to a contract (nationalId or envelope id) this tenant does not have. */
  labour_contract_not_found: 404,
  /** An appendix or termination of a contract the national platform has not registered yet. */
  labour_contract_not_registered: 409,
  /** An appendix or termination of a contract that is already terminated. */
  labour_contract_terminated: 409,
  /** The envelope's registration is not in a state that can be retried (only rejected ones are). */
  labour_registration_not_retryable: 409,
  /** Issue 17: the object or envelope is under Object Lock retention or a legal hold; nothing of it may be deleted. */
  locked: 423,
  legal_hold: 423,
  /** A legal hold is already set (POST) or none is set (DELETE). */
  legal_hold_exists: 409,
  no_legal_hold: 409,
  data_subject_request_not_found: 404,
  /** A personal-data request without exactly one valid identifier (email, phone or idNumber). */
  invalid_subject: 400,
  /** Issue 15: the console user's role does not allow this route (details.needed: read, send or admin). */
  insufficient_role: 403,
  /** Issue 15: the API key lacks the scope this route needs (details.needed). */
  insufficient_scope: 403,
  /** Issue 15: too many failed sign-ins for this account from this address, for this account, or from this address. */
  login_locked: 429,
  /** Issue 15: the password was right; a TOTP code (or a recovery code) is needed, or it was wrong/used. */
  totp_invalid: 401,
  /** Issue 15: the sign-in challenge (between password and TOTP) is unknown, used or older than 5 minutes. */
  login_challenge_invalid: 401,
  /** Issue 15: an admin disabled this console user: no sign-in, and their sessions ended. */
  account_disabled: 403,
  /** Issue 15: the change would leave the tenant without an active admin (demote or disable the last one). */
  last_admin: 409,
  /** Issue 15: admins must keep two-step sign-in; they cannot turn it off. */
  totp_required: 403,
  /** Issue 15: two-step sign-in is already on (turn it off first), or it is off and the action needs it. */
  totp_already_enabled: 409,
  totp_not_enabled: 409,
  console_user_not_found: 404,
  /** Issue 15: the current password given to change it is wrong. */
  password_invalid: 400,
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
