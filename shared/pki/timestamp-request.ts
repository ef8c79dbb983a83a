import * as asn1js from 'asn1js';
import { AppError } from '../errors.js';
import { toArrayBuffer } from '../util/bytes.js';
import { assertDer, DerError, oidOf } from './der.js';

/** Hash algorithms a TimeStampReq may use: the SHA-2 family only (SHA-1 is broken for this use). */
export const TIMESTAMP_HASHES = {
  'SHA-256': { oid: '2.16.840.1.101.3.4.2.1', length: 32, node: 'sha256' },
  'SHA-384': { oid: '2.16.840.1.101.3.4.2.2', length: 48, node: 'sha384' },
  'SHA-512': { oid: '2.16.840.1.101.3.4.2.3', length: 64, node: 'sha512' },
} as const;

export type TimestampHashAlgorithm = keyof typeof TIMESTAMP_HASHES;

export const hashAlgorithmForOid = (oid: string): TimestampHashAlgorithm | undefined =>
  (Object.keys(TIMESTAMP_HASHES) as TimestampHashAlgorithm[]).find((name) => TIMESTAMP_HASHES[name].oid === oid);

/** RFC 3161 PKIFailureInfo names we answer with (bit numbers in timestamp-response.ts). */
export type TimestampFailure = 'badAlg' | 'badRequest' | 'badDataFormat' | 'unacceptedPolicy' | 'unacceptedExtension' | 'systemFailure';

export interface TimestampRequest {
  readonly hashAlgorithm: TimestampHashAlgorithm;
  readonly hashedMessage: Uint8Array;
  /** DER of the requested policy OID (compared as bytes: asn1js cannot print UUID arcs). */
  readonly policy?: Uint8Array;
  /** Content octets of the nonce INTEGER, echoed verbatim into TSTInfo. */
  readonly nonce?: Uint8Array;
  readonly certReq: boolean;
  readonly hasExtensions: boolean;
}

/**
 * A request that is DER and shaped like a TimeStampReq but that we will not stamp. The TSA
 * answers it with an RFC 3161 rejection carrying `failure`, not with a JSON error.
 */
export class TimestampRejection extends AppError {
  readonly failure: TimestampFailure;
  constructor(code: 'invalid_timestamp_request' | 'unsupported_hash_algorithm', failure: TimestampFailure, message: string) {
    super(code, message, { failInfo: failure });
    this.failure = failure;
  }
}

const notARequest = (why: string) => new AppError('invalid_timestamp_request', `Not a DER-encoded RFC 3161 TimeStampReq: ${why}.`);

const isUniversal = (b: asn1js.AsnType | undefined, tagNumber: number): b is asn1js.BaseBlock =>
  !!b && b.idBlock.tagClass === 1 && b.idBlock.tagNumber === tagNumber;

const octets = (b: asn1js.BaseBlock): Uint8Array => new Uint8Array((b as asn1js.Integer).valueBlock.valueHexView);

/**
 * Parses a TimeStampReq (RFC 3161 2.4.1). Input that is not DER or not this structure throws
 * AppError('invalid_timestamp_request'); a well-formed request we refuse (version, hash
 * algorithm, hash length) throws TimestampRejection so the caller can answer in kind.
 */
export const parseTimestampRequest = (der: Uint8Array): TimestampRequest => {
  try {
    assertDer(der);
  } catch (e) {
    if (e instanceof DerError) throw notARequest(e.message);
    throw e;
  }
  const top = asn1js.fromBER(toArrayBuffer(der)).result;
  if (!(top instanceof asn1js.Sequence)) throw notARequest('not a SEQUENCE');
  const items = [...top.valueBlock.value];
  const version = items.shift();
  const imprint = items.shift();
  if (!isUniversal(version, 2) || !(imprint instanceof asn1js.Sequence)) throw notARequest('missing version or messageImprint');
  const [alg, hashed, ...imprintRest] = imprint.valueBlock.value;
  if (!(alg instanceof asn1js.Sequence) || !isUniversal(hashed, 4) || imprintRest.length) throw notARequest('malformed messageImprint');
  const [algOid, algParams, ...algRest] = alg.valueBlock.value;
  if (!isUniversal(algOid, 6) || algRest.length) throw notARequest('malformed hashAlgorithm');

  let policy: Uint8Array | undefined;
  let nonce: Uint8Array | undefined;
  let certReq = false;
  let hasExtensions = false;
  // Optional fields, each at most once and in schema order.
  if (isUniversal(items[0], 6)) policy = new Uint8Array((items.shift() as asn1js.BaseBlock).toBER(false));
  if (isUniversal(items[0], 2)) nonce = octets(items.shift() as asn1js.BaseBlock);
  if (isUniversal(items[0], 1)) {
    certReq = (items.shift() as asn1js.Boolean).valueBlock.value;
    // DER: a field equal to its DEFAULT (FALSE) must be absent.
    if (!certReq) throw notARequest('certReq FALSE must be omitted');
  }
  const ext = items[0];
  if (ext && ext.idBlock.tagClass === 3 && ext.idBlock.tagNumber === 0 && ext.idBlock.isConstructed) {
    hasExtensions = true;
    items.shift();
  }
  if (items.length) throw notARequest('unexpected trailing fields');

  if ((version as asn1js.Integer).valueBlock.valueDec !== 1) {
    throw new TimestampRejection('invalid_timestamp_request', 'badRequest', 'Only TimeStampReq version 1 is supported.');
  }
  const oid = oidOf(algOid as asn1js.BaseBlock);
  const hashAlgorithm = hashAlgorithmForOid(oid);
  if (!hashAlgorithm) {
    throw new TimestampRejection(
      'unsupported_hash_algorithm',
      'badAlg',
      `Hash algorithm ${oid} is not supported; use SHA-256, SHA-384 or SHA-512.`,
    );
  }
  if (algParams && !isUniversal(algParams, 5)) {
    throw new TimestampRejection('unsupported_hash_algorithm', 'badAlg', 'Hash algorithm parameters must be absent or NULL.');
  }
  const hashedMessage = octets(hashed as asn1js.BaseBlock);
  if (hashedMessage.length !== TIMESTAMP_HASHES[hashAlgorithm].length) {
    throw new TimestampRejection(
      'invalid_timestamp_request',
      'badDataFormat',
      `A ${hashAlgorithm} hash is ${TIMESTAMP_HASHES[hashAlgorithm].length} bytes, not ${hashedMessage.length}.`,
    );
  }
  return {
    hashAlgorithm,
    hashedMessage,
    certReq,
    hasExtensions,
    ...(policy ? { policy } : {}),
    ...(nonce ? { nonce } : {}),
  };
};

/** Encodes a TimeStampReq (for the TSA client and tests); nonce is INTEGER content octets. */
export const encodeTimestampRequest = (input: {
  hashAlgorithm: TimestampHashAlgorithm;
  hashedMessage: Uint8Array;
  nonce?: Uint8Array;
  certReq?: boolean;
}): Uint8Array => {
  const value: asn1js.BaseBlock[] = [
    new asn1js.Integer({ value: 1 }),
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({
          value: [new asn1js.ObjectIdentifier({ value: TIMESTAMP_HASHES[input.hashAlgorithm].oid }), new asn1js.Null()],
        }),
        new asn1js.OctetString({ valueHex: toArrayBuffer(input.hashedMessage) }),
      ],
    }),
  ];
  if (input.nonce) value.push(new asn1js.Integer({ valueHex: toArrayBuffer(input.nonce) }));
  if (input.certReq) value.push(new asn1js.Boolean({ value: true }));
  return new Uint8Array(new asn1js.Sequence({ value }).toBER(false));
};
