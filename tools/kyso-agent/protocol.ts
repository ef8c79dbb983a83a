/**
 * The JSON protocol between the signer page (in the browser) and a local signing agent on
 * 127.0.0.1 (docs/agent-protocol.md). Kept free of Node APIs so the page's code can mirror it.
 */
export const AGENT_PROTOCOL_VERSION = 1;
export const DEFAULT_AGENT_PORT = 47_601;

export interface AgentCertificateInfo {
  /** Stable id within this agent (SHA-256 of the certificate, hex). */
  readonly id: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notAfter: string;
  /** The certificate first, then its issuers, PEM. */
  readonly chainPem: string;
}

/** GET /v1/info */
export interface InfoResponse {
  readonly agent: 'kyso-agent';
  readonly version: string;
  readonly protocol: number;
  /** True when the request carried a valid pairing token for its origin. */
  readonly paired: boolean;
  /** Only listed to a paired origin: which certificates a person holds is personal data. */
  readonly certificates: readonly AgentCertificateInfo[];
}

/** POST /v1/pair → the agent shows a 6-digit code on its own screen (never in the response). */
export interface PairResponse {
  readonly pairingId: string;
  readonly expiresAt: string;
}

/** POST /v1/pair/confirm with the code the person read off the agent and typed into the page. */
export interface PairConfirmRequest {
  readonly pairingId: string;
  readonly code: string;
}

export interface PairConfirmResponse {
  /** Send as `Authorization: Bearer <token>`; bound to the origin that paired. */
  readonly pairingToken: string;
  readonly expiresAt: string;
}

export type AgentAlgorithm = 'ECDSA_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_256';

/** POST /v1/sign */
export interface SignRequest {
  readonly certificateId: string;
  /**
   * The DER CMS signed attributes (SET OF, first byte 0x31) from Kyso's prepare step, base64.
   * The agent hashes them itself, and refuses anything that is not signed attributes with a
   * content-type and a message-digest: it is not a general-purpose signing oracle.
   */
  readonly signedAttributesB64: string;
  readonly algorithm: AgentAlgorithm;
  /** Shown in the agent's confirmation prompt. */
  readonly document?: { readonly title?: string; readonly sha256?: string };
}

export interface SignResponse {
  /** The signature value, base64: RSA PKCS#1 v1.5, or ECDSA as DER (r||s is accepted by Kyso too). */
  readonly signatureB64: string;
  readonly algorithm: AgentAlgorithm;
  readonly certificateId: string;
}

export interface AgentErrorBody {
  readonly error: { readonly code: AgentErrorCode; readonly message: string };
}

/** Token states (tools/kyso-agent/token-errors.ts), each with a message in Vietnamese, then English. */
export type AgentTokenErrorCode =
  | 'pkcs11_unavailable'
  | 'module_load_failed'
  | 'token_not_present'
  | 'token_removed'
  | 'slot_not_found'
  | 'pin_required'
  | 'pin_incorrect'
  | 'pin_locked'
  | 'no_certificate'
  | 'unsupported_key'
  | 'token_error';

export type AgentErrorCode =
  | AgentTokenErrorCode
  | 'origin_not_allowed'
  | 'host_not_allowed'
  | 'not_paired'
  | 'pairing_failed'
  | 'unknown_certificate'
  | 'bad_request'
  | 'declined'
  | 'internal';
