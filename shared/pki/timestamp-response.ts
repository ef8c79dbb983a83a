import * as asn1js from 'asn1js';
import type { Clock } from '../envelope/ports.js';
import { sameBytes, toArrayBuffer } from '../util/bytes.js';
import { contentOctets } from './der.js';
import { certificateParts } from './der-write.js';
import { parseTimestampRequest, type TimestampFailure, TimestampRejection } from './timestamp-request.js';
import { encodeTstInfo, KYSO_TSA_POLICY_DER, randomSerialNumber, signTstInfo, type TsaCredentials } from './timestamp-token.js';

/** PKIStatus values (RFC 3161 2.4.2). */
export const PKI_STATUS = {
  granted: 0,
  grantedWithMods: 1,
  rejection: 2,
  waiting: 3,
  revocationWarning: 4,
  revocationNotification: 5,
} as const;

/** Bit numbers of PKIFailureInfo. */
const FAILURE_BIT: Record<TimestampFailure, number> = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  systemFailure: 25,
};

/** A named-bit BIT STRING with one bit set, trailing zero bits removed as DER requires (X.690 11.2.2). */
const failInfoBits = (failure: TimestampFailure): asn1js.BitString => {
  const bit = FAILURE_BIT[failure];
  const bytes = new Uint8Array(Math.floor(bit / 8) + 1);
  bytes[bytes.length - 1] = 0x80 >> (bit % 8);
  return new asn1js.BitString({ valueHex: toArrayBuffer(bytes), unusedBits: 7 - (bit % 8) });
};

/** TimeStampResp, DER: granted with a token, or rejected with one failure reason. */
export const encodeTimestampResponse = (
  r: { status: 'granted'; token: Uint8Array } | { status: 'rejection'; failure: TimestampFailure; text?: string },
): Uint8Array => {
  const statusInfo: asn1js.BaseBlock[] = [new asn1js.Integer({ value: PKI_STATUS[r.status] })];
  if (r.status === 'rejection') {
    if (r.text) statusInfo.push(new asn1js.Sequence({ value: [new asn1js.Utf8String({ value: r.text })] }));
    statusInfo.push(failInfoBits(r.failure));
  }
  const value: asn1js.BaseBlock[] = [new asn1js.Sequence({ value: statusInfo })];
  if (r.status === 'granted') value.push(asn1js.fromBER(toArrayBuffer(r.token)).result);
  return new Uint8Array(new asn1js.Sequence({ value }).toBER(false));
};

export type TimestampAnswer =
  | { readonly status: 'granted'; readonly response: Uint8Array; readonly token: Uint8Array }
  | { readonly status: 'rejection'; readonly response: Uint8Array; readonly failure: TimestampFailure; readonly message: string };

/**
 * The TSA: answers a DER TimeStampReq with a TimeStampResp. Bytes that are not a DER
 * TimeStampReq throw AppError('invalid_timestamp_request'), since there is no request to
 * answer; a well-formed request we refuse gets a rejection with its PKIFailureInfo.
 */
export const answerTimestampQuery = async (query: Uint8Array, tsa: TsaCredentials, clock: Clock): Promise<TimestampAnswer> => {
  const reject = (failure: TimestampFailure, message: string): TimestampAnswer => ({
    status: 'rejection',
    failure,
    message,
    response: encodeTimestampResponse({ status: 'rejection', failure, text: message }),
  });
  let request: ReturnType<typeof parseTimestampRequest>;
  try {
    request = parseTimestampRequest(query);
  } catch (e) {
    if (e instanceof TimestampRejection) return reject(e.failure, e.message);
    throw e;
  }
  if (request.policy && !sameBytes(contentOctets(request.policy), contentOctets(KYSO_TSA_POLICY_DER))) {
    return reject('unacceptedPolicy', 'This TSA only issues tokens under its own policy.');
  }
  // RFC 3161 2.4.1: extensions we do not understand must be refused, and we understand none.
  if (request.hasExtensions) return reject('unacceptedExtension', 'Request extensions are not supported.');

  const tstInfo = encodeTstInfo({
    hashAlgorithm: request.hashAlgorithm,
    hashedMessage: request.hashedMessage,
    serialNumber: randomSerialNumber(),
    genTime: clock.now(),
    tsaName: certificateParts(tsa.certificate).subject,
    ...(request.nonce ? { nonce: request.nonce } : {}),
  });
  const token = await signTstInfo(tstInfo, tsa, request.certReq);
  return { status: 'granted', token, response: encodeTimestampResponse({ status: 'granted', token }) };
};
