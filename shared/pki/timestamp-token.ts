import { randomBytes } from 'node:crypto';
import type { Clock } from '../envelope/ports.js';
import { sha256 } from '../util/bytes.js';
import { sha256AlgorithmIdentifier, signatureAlgorithmDer } from './algorithms.js';
import { signingCertificateV2Attribute } from './cms.js';
import { certificateParts, compareBytes, generalizedTime, oidDer, TAG, tlv } from './der-write.js';
import type { KeySigner } from './key-signer.js';
import { OID } from './oids.js';
import { TIMESTAMP_HASHES, type TimestampHashAlgorithm } from './timestamp-request.js';

/**
 * Kyso's TSA policy (TSTInfo.policy). Kyso has no IANA enterprise number yet, so the OID is
 * a UUID arc (ITU-T X.667, 2.25.<UUID as an integer>; UUID 02ae33cb-8f32-4eac-a5df-60b2344c4b76),
 * unique without registration. Meaning: time from the platform clock (AWS time sync),
 * accuracy ±1 s, key in KMS. Changing it changes what existing tokens claim: do not.
 */
export const KYSO_TSA_POLICY = '2.25.3562966175478842608835172332393483126';

export const KYSO_TSA_POLICY_DER = oidDer(KYSO_TSA_POLICY);

/** The TSA key and its certificate (EKU timeStamping), chain issuer first. */
export interface TsaCredentials {
  readonly signer: KeySigner;
  readonly certificate: Uint8Array;
  readonly chain: readonly Uint8Array[];
}

export interface TstInfoInput {
  readonly hashAlgorithm: TimestampHashAlgorithm;
  readonly hashedMessage: Uint8Array;
  /** Positive INTEGER content octets, unique per token. */
  readonly serialNumber: Uint8Array;
  readonly genTime: Date;
  readonly nonce?: Uint8Array;
  /** Subject Name of the TSA certificate (DER), put in TSTInfo.tsa as a directoryName. */
  readonly tsaName?: Uint8Array;
}

/** 128 random bits as a positive, minimal INTEGER (leading zero bytes dropped, sign byte added). */
export const randomSerialNumber = (): Uint8Array => {
  let bytes = Uint8Array.from(randomBytes(16));
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  return (bytes[0] ?? 0) & 0x80 ? Uint8Array.of(0, ...bytes) : bytes;
};

const { SEQUENCE, SET, INTEGER, OCTET_STRING } = TAG;
const der = (block: { toSchema(): { toBER(sizeOnly?: boolean): ArrayBuffer } }) => new Uint8Array(block.toSchema().toBER(false));

// Constant encodings, computed once.
const VERSION_1 = Uint8Array.of(0x02, 0x01, 0x01);
const VERSION_3 = Uint8Array.of(0x02, 0x01, 0x03);
/** accuracy: seconds 1. */
const ACCURACY_1S = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01);
const HASH_ALGORITHM = Object.fromEntries(
  (Object.keys(TIMESTAMP_HASHES) as TimestampHashAlgorithm[]).map((name) => [
    name,
    tlv(SEQUENCE, oidDer(TIMESTAMP_HASHES[name].oid), Uint8Array.of(0x05, 0x00)),
  ]),
) as Record<TimestampHashAlgorithm, Uint8Array>;
const OID_TST_INFO = oidDer(OID.tstInfo);
const OID_SIGNED_DATA = oidDer(OID.signedData);
const CONTENT_TYPE_ATTRIBUTE = tlv(SEQUENCE, oidDer(OID.contentType), tlv(SET, OID_TST_INFO));
const OID_MESSAGE_DIGEST = oidDer(OID.messageDigest);
const SHA256_ALGORITHM = der(sha256AlgorithmIdentifier());
const DIGEST_ALGORITHMS = tlv(SET, SHA256_ALGORITHM);

/** TSTInfo (RFC 3161 2.4.2), DER. Accuracy is 1 s; ordering is left at its default (false). */
export const encodeTstInfo = (input: TstInfoInput): Uint8Array =>
  tlv(
    SEQUENCE,
    VERSION_1,
    KYSO_TSA_POLICY_DER,
    tlv(SEQUENCE, HASH_ALGORITHM[input.hashAlgorithm], tlv(OCTET_STRING, input.hashedMessage)),
    tlv(INTEGER, input.serialNumber),
    generalizedTime(input.genTime),
    ACCURACY_1S,
    ...(input.nonce ? [tlv(INTEGER, input.nonce)] : []),
    // tsa [0] EXPLICIT GeneralName, the directoryName choice [4] EXPLICIT Name.
    ...(input.tsaName ? [tlv(0xa0, tlv(0xa4, input.tsaName))] : []),
  );

/** What a TSA certificate contributes to every token, computed once per certificate. */
interface TsaConstants {
  readonly signingCertificate: Uint8Array;
  readonly sid: Uint8Array;
  readonly certificates: Uint8Array;
}
const tsaConstants = new WeakMap<TsaCredentials, TsaConstants>();
const constantsOf = (tsa: TsaCredentials): TsaConstants => {
  const known = tsaConstants.get(tsa);
  if (known) return known;
  const { issuer, serial } = certificateParts(tsa.certificate);
  const constants = {
    // ESS signing-certificate-v2: SHA-256 of the TSA certificate plus its issuer and serial.
    signingCertificate: signingCertificateV2Attribute(tsa.certificate),
    sid: tlv(SEQUENCE, issuer, serial),
    certificates: tlv(0xa0, tsa.certificate, ...tsa.chain),
  };
  tsaConstants.set(tsa, constants);
  return constants;
};

/**
 * Wraps a TSTInfo into a timestamp token: CMS SignedData (RFC 5652) with the TSTInfo
 * encapsulated, signed attributes content-type, message-digest and signing-certificate-v2,
 * one KeySigner call over their DER. `includeCertificates` answers the request's certReq.
 * Written as DER directly (the certificate's parts once per TSA), byte for byte what pkijs
 * wrote before (test/unit/pki/timestamp.test.ts).
 */
export const signTstInfo = async (tstInfo: Uint8Array, tsa: TsaCredentials, includeCertificates: boolean): Promise<Uint8Array> => {
  const constants = constantsOf(tsa);
  const attributes = [
    CONTENT_TYPE_ATTRIBUTE,
    tlv(SEQUENCE, OID_MESSAGE_DIGEST, tlv(SET, tlv(OCTET_STRING, sha256(tstInfo)))),
    constants.signingCertificate,
  ].sort(compareBytes);
  // The signature covers the attributes with the SET OF tag, not the [0] they are stored under.
  const toSign = tlv(SET, ...attributes);
  const signature = await tsa.signer.sign(toSign);
  const signedAttrs = Uint8Array.from(toSign);
  signedAttrs[0] = 0xa0;
  const signerInfo = tlv(
    SEQUENCE,
    VERSION_1,
    constants.sid,
    SHA256_ALGORITHM,
    signedAttrs,
    signatureAlgorithmDer(tsa.signer.algorithm),
    tlv(OCTET_STRING, signature),
  );
  const signedData = tlv(
    SEQUENCE,
    // Version 3: the encapsulated content is not id-data (RFC 5652 5.1).
    VERSION_3,
    DIGEST_ALGORITHMS,
    tlv(SEQUENCE, OID_TST_INFO, tlv(0xa0, tlv(OCTET_STRING, tstInfo))),
    ...(includeCertificates ? [constants.certificates] : []),
    tlv(SET, signerInfo),
  );
  return tlv(SEQUENCE, OID_SIGNED_DATA, tlv(0xa0, signedData));
};

export interface CreateTimestampTokenInput {
  readonly digest: Uint8Array;
  readonly hashAlgorithm?: TimestampHashAlgorithm;
  readonly tsa: TsaCredentials;
  readonly clock: Clock;
  readonly nonce?: Uint8Array;
  /** Default true: PAdES validators need the TSA certificate and its chain in the token. */
  readonly includeCertificates?: boolean;
  /** For known-answer tests; random 128 bits otherwise. */
  readonly serialNumber?: Uint8Array;
}

/**
 * Timestamps a digest with the platform TSA directly (no HTTP): for the signature
 * timestamp of B-T (digest = SHA-256 of SignerInfo.signature) and the document timestamp
 * of B-LTA (digest = SHA-256 of the ByteRange). Returns the token, a DER ContentInfo.
 */
export const createTimestampToken = async (input: CreateTimestampTokenInput): Promise<Uint8Array> => {
  const hashAlgorithm = input.hashAlgorithm ?? 'SHA-256';
  if (input.digest.length !== TIMESTAMP_HASHES[hashAlgorithm].length) {
    throw new Error(`a ${hashAlgorithm} digest is ${TIMESTAMP_HASHES[hashAlgorithm].length} bytes, got ${input.digest.length}`);
  }
  const tstInfo = encodeTstInfo({
    hashAlgorithm,
    hashedMessage: input.digest,
    serialNumber: input.serialNumber ?? randomSerialNumber(),
    genTime: input.clock.now(),
    tsaName: certificateParts(input.tsa.certificate).subject,
    ...(input.nonce ? { nonce: input.nonce } : {}),
  });
  return signTstInfo(tstInfo, input.tsa, input.includeCertificates ?? true);
};
