import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AppError } from '../errors.js';
import { sameBytes, toArrayBuffer } from '../util/bytes.js';
import { parseTimestampToken, type TimestampTokenInfo } from './timestamp-parse.js';
import { encodeTimestampRequest, TIMESTAMP_HASHES, type TimestampHashAlgorithm } from './timestamp-request.js';
import { PKI_STATUS } from './timestamp-response.js';

export interface ParsedTimestampResponse {
  readonly status: number;
  readonly statusText?: string;
  /** Raw PKIFailureInfo bits (BIT STRING content after the unused-bits byte). */
  readonly failInfo?: Uint8Array;
  readonly token?: Uint8Array;
}

/** Reads a TimeStampResp (RFC 3161 2.4.2) without judging it. */
export const parseTimestampResponse = (der: Uint8Array): ParsedTimestampResponse => {
  const top = asn1js.fromBER(toArrayBuffer(der)).result;
  if (!(top instanceof asn1js.Sequence)) throw new Error('TimeStampResp is not a SEQUENCE');
  const [statusInfo, token] = top.valueBlock.value;
  if (!(statusInfo instanceof asn1js.Sequence)) throw new Error('TimeStampResp has no PKIStatusInfo');
  const [status, ...rest] = statusInfo.valueBlock.value;
  if (!(status instanceof asn1js.Integer)) throw new Error('PKIStatusInfo has no status');
  const text = rest.find((b): b is asn1js.Sequence => b instanceof asn1js.Sequence);
  const failInfo = rest.find((b): b is asn1js.BitString => b instanceof asn1js.BitString);
  const firstText = text?.valueBlock.value[0];
  return {
    status: status.valueBlock.valueDec,
    ...(firstText instanceof asn1js.Utf8String ? { statusText: firstText.valueBlock.value } : {}),
    ...(failInfo ? { failInfo: new Uint8Array(failInfo.valueBlock.valueHexView) } : {}),
    ...(token ? { token: new Uint8Array(token.toBER(false)) } : {}),
  };
};

export interface RequestTimestampOptions {
  /** Injected for tests and for runtimes without a global fetch. */
  readonly fetch?: typeof globalThis.fetch;
  readonly timeoutMs?: number;
  readonly hashAlgorithm?: TimestampHashAlgorithm;
}

const failed = (url: string, why: string) => new AppError('timestamp_authority_failed', `Timestamp authority ${url}: ${why}.`);

/**
 * Asks an external TSA (RFC 3161 over HTTP, section 3.4) to timestamp `digest`. The reply is
 * accepted only if it is granted and its token covers exactly this digest and our nonce,
 * so a confused or replaying TSA cannot slip a token for other data into a signature.
 * Any failure is AppError('timestamp_authority_failed'), for the caller to try the next TSA.
 * The token's CMS signature and certificate chain are left to the validator that trusts them.
 */
export const requestTimestamp = async (
  url: string,
  digest: Uint8Array,
  options: RequestTimestampOptions = {},
): Promise<{ token: Uint8Array; info: TimestampTokenInfo }> => {
  const hashAlgorithm = options.hashAlgorithm ?? 'SHA-256';
  if (digest.length !== TIMESTAMP_HASHES[hashAlgorithm].length) {
    throw new Error(`a ${hashAlgorithm} digest is ${TIMESTAMP_HASHES[hashAlgorithm].length} bytes, got ${digest.length}`);
  }
  const nonce = Uint8Array.of(0x01, ...randomBytes(8)); // leading 01: positive and minimal
  const query = encodeTimestampRequest({ hashAlgorithm, hashedMessage: digest, nonce, certReq: true });
  const doFetch = options.fetch ?? globalThis.fetch;
  let body: Uint8Array;
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: query as Uint8Array<ArrayBuffer>,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    body = new Uint8Array(await res.arrayBuffer());
    if (!res.ok) throw failed(url, `HTTP ${res.status}`);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw failed(url, (e as Error).name === 'TimeoutError' ? 'timed out' : `unreachable (${(e as Error).message})`);
  }

  let reply: ParsedTimestampResponse;
  let info: TimestampTokenInfo;
  try {
    reply = parseTimestampResponse(body);
  } catch (e) {
    throw failed(url, `unreadable reply (${(e as Error).message})`);
  }
  if (reply.status !== PKI_STATUS.granted && reply.status !== PKI_STATUS.grantedWithMods) {
    throw failed(url, `request refused with status ${reply.status}${reply.statusText ? ` (${reply.statusText})` : ''}`);
  }
  if (!reply.token) throw failed(url, 'granted without a token');
  try {
    info = parseTimestampToken(reply.token);
  } catch (e) {
    throw failed(url, (e as Error).message);
  }
  if (info.hashAlgorithmOid !== TIMESTAMP_HASHES[hashAlgorithm].oid || !sameBytes(info.hashedMessage, digest)) {
    throw failed(url, 'token is for a different message imprint');
  }
  if (!info.nonce || !sameBytes(info.nonce, nonce)) throw failed(url, 'token does not echo our nonce');
  return { token: reply.token, info };
};
