/**
 * RFC 3161 time-stamping: the platform TSA (answerTimestampQuery, createTimestampToken) and a
 * client for external TSAs (requestTimestamp). One structure per file; this is the entry point.
 */
export {
  type ParsedTimestampResponse,
  parseTimestampResponse,
  type RequestTimestampOptions,
  requestTimestamp,
} from './timestamp-client.js';
export { parseTimestampToken, type TimestampTokenInfo } from './timestamp-parse.js';
export {
  encodeTimestampRequest,
  parseTimestampRequest,
  TIMESTAMP_HASHES,
  type TimestampFailure,
  type TimestampHashAlgorithm,
  TimestampRejection,
  type TimestampRequest,
} from './timestamp-request.js';
export { answerTimestampQuery, encodeTimestampResponse, PKI_STATUS, type TimestampAnswer } from './timestamp-response.js';
export {
  type CreateTimestampTokenInput,
  createTimestampToken,
  encodeTstInfo,
  KYSO_TSA_POLICY,
  randomSerialNumber,
  signTstInfo,
  type TsaCredentials,
} from './timestamp-token.js';
