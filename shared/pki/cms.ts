import { sha256 } from '../util/bytes.js';
import { certificateParts, compareBytes, element, tlv } from './der-write.js';
import type { KeySigner } from './key-signer.js';

/**
 * Detached CMS SignedData (CAdES baseline) written straight as DER: the structure is fixed,
 * so the constant parts are bytes computed once per process and certificates are never
 * parsed into objects — only their issuer and serial number are cut out of the DER, once per
 * certificate. The output is byte-for-byte what pkijs wrote before (test/unit/pki/cms.test.ts).
 */

export interface CadesInput {
  /** SHA-256 of the signed content (for PAdES: the ByteRange bytes). */
  readonly contentDigest: Uint8Array;
  /** The signer's certificate, DER. */
  readonly signerCertificate: Uint8Array;
  /** Intermediate and root certificates to embed, DER, signer's issuer first. */
  readonly chain: readonly Uint8Array[];
}

/** DER signed attributes in their SignerInfo form ([0] IMPLICIT, first byte 0xA0). */
export interface SignedAttributes {
  readonly der: Uint8Array;
}

/** Anything that encodes itself to BER (a pkijs structure a caller parsed elsewhere). */
interface Encodable {
  toSchema(): { toBER(sizeOnly?: boolean): ArrayBuffer };
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OCTET_STRING = 0x04;
const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

// Constant encodings (OIDs from oids.ts, written out as DER).
const OID_DATA = hex('06092a864886f70d010701');
const OID_SIGNED_DATA = hex('06092a864886f70d010702');
const OID_CONTENT_TYPE = hex('06092a864886f70d010903');
const OID_MESSAGE_DIGEST = hex('06092a864886f70d010904');
const OID_SIGNING_CERTIFICATE_V2 = hex('060b2a864886f70d010910022f');
const OID_SIGNATURE_TIME_STAMP = hex('060b2a864886f70d010910020e');
const SHA256_ALGORITHM = tlv(SEQUENCE, hex('0609608648016503040201'));
const SIGNATURE_ALGORITHM: Record<KeySigner['algorithm'], Uint8Array> = {
  ECDSA_SHA_256: tlv(SEQUENCE, hex('06082a8648ce3d040302')),
  RSASSA_PKCS1_V1_5_SHA_256: tlv(SEQUENCE, hex('06092a864886f70d01010b'), hex('0500')),
};
const VERSION_1 = hex('020101');
const CONTENT_TYPE_ATTRIBUTE = tlv(SEQUENCE, OID_CONTENT_TYPE, tlv(SET, OID_DATA));
const DIGEST_ALGORITHMS = tlv(SET, SHA256_ALGORITHM);
const ENCAP_CONTENT_INFO = tlv(SEQUENCE, OID_DATA);

/** ESS signing-certificate-v2 (RFC 5035), hashAlgorithm omitted (DEFAULT sha256): binds the signer certificate. */
export const signingCertificateV2Attribute = (certDer: Uint8Array): Uint8Array => {
  const { issuer, serial } = certificateParts(certDer);
  const issuerSerial = tlv(SEQUENCE, tlv(SEQUENCE, tlv(0xa4, issuer)), serial);
  const essCertIdV2 = tlv(SEQUENCE, tlv(OCTET_STRING, sha256(certDer)), issuerSerial);
  return tlv(SEQUENCE, OID_SIGNING_CERTIFICATE_V2, tlv(SET, tlv(SEQUENCE, tlv(SEQUENCE, essCertIdV2))));
};

/**
 * The signed attributes of a PAdES baseline signature: content-type, message-digest and
 * signing-certificate-v2, and deliberately no signing-time (PAdES puts the claimed time
 * in the signature dictionary's /M and the trusted time in the signature timestamp).
 * Sorted by encoding, as DER requires of a SET OF.
 */
export const buildSignedAttributes = (input: CadesInput): SignedAttributes => {
  const attributes = [
    CONTENT_TYPE_ATTRIBUTE,
    tlv(SEQUENCE, OID_MESSAGE_DIGEST, tlv(SET, tlv(OCTET_STRING, input.contentDigest))),
    signingCertificateV2Attribute(input.signerCertificate),
  ].sort(compareBytes);
  return { der: tlv(0xa0, ...attributes) };
};

const attributesDer = (attrs: SignedAttributes | Encodable): Uint8Array =>
  'der' in attrs ? attrs.der : new Uint8Array(attrs.toSchema().toBER(false));

/** The bytes a signature value is computed over: the signed attributes re-tagged as SET OF (0x31). */
export const signedAttributesForSigning = (attrs: SignedAttributes | Encodable): Uint8Array => {
  const der = Uint8Array.from(attributesDer(attrs));
  der[0] = 0x31;
  return der;
};

export interface AssembleCadesInput extends CadesInput {
  readonly signedAttributes: SignedAttributes | Encodable;
  readonly signatureValue: Uint8Array;
  readonly algorithm: KeySigner['algorithm'];
  /** Unsigned attributes (e.g. a signature timestamp), DER Attribute each. */
  readonly unsignedAttributes?: readonly (Uint8Array | Encodable)[];
}

/** Wraps signed attributes and a signature value into a detached CMS SignedData ContentInfo (DER). */
export const assembleCades = (input: AssembleCadesInput): Uint8Array => {
  const signed = Uint8Array.from(attributesDer(input.signedAttributes));
  signed[0] = 0xa0;
  const { issuer, serial } = certificateParts(input.signerCertificate);
  const unsigned = (input.unsignedAttributes ?? []).map((a) => (a instanceof Uint8Array ? a : new Uint8Array(a.toSchema().toBER(false))));
  const signerInfo = tlv(
    SEQUENCE,
    VERSION_1,
    tlv(SEQUENCE, issuer, serial),
    SHA256_ALGORITHM,
    signed,
    SIGNATURE_ALGORITHM[input.algorithm],
    tlv(OCTET_STRING, input.signatureValue),
    ...(unsigned.length ? [tlv(0xa1, ...unsigned)] : []),
  );
  const signedData = tlv(
    SEQUENCE,
    VERSION_1,
    DIGEST_ALGORITHMS,
    ENCAP_CONTENT_INFO,
    tlv(0xa0, input.signerCertificate, ...input.chain),
    tlv(SET, signerInfo),
  );
  return tlv(SEQUENCE, OID_SIGNED_DATA, tlv(0xa0, signedData));
};

/**
 * An upper bound of the DER size assembleCades produces for these certificates, with an
 * unsigned attribute holding a token of `timestampTokenBytes` (0: none). The signature value
 * bound is the key's: ECDSA P-256 DER ≤ 72 bytes, RSA = the modulus (at most 512 bytes).
 */
export const cadesSizeBound = (input: Omit<CadesInput, 'contentDigest'>, timestampTokenBytes = 0): number => {
  const attrs = buildSignedAttributes({ ...input, contentDigest: new Uint8Array(32) }).der.length;
  const certs = input.chain.reduce((n, c) => n + c.length, input.signerCertificate.length);
  const { issuer, serial } = certificateParts(input.signerCertificate);
  const unsigned = timestampTokenBytes ? timestampTokenBytes + 32 : 0;
  return attrs + certs + issuer.length + serial.length + 512 + unsigned + 128;
};

/** The largest signature timestamp token this process has embedded (0 until the first). */
let largestTimestampToken = 0;

/**
 * Bytes to reserve in /Contents for a CMS from these certificates: the exact bound of
 * everything but the timestamp token, plus the largest token seen so far in this process
 * (6 KB before the first). A token larger than that makes the revision builder redo the
 * revision with the size it needed (sign-revision.ts), so a guess can cost time, never validity.
 */
export const contentsSizeFor = (input: Omit<CadesInput, 'contentDigest'>, timestamped: boolean): number =>
  cadesSizeBound(input, timestamped ? largestTimestampToken || 6144 : 0);

/** Returns an RFC 3161 token (DER ContentInfo) over a SHA-256 digest: the platform TSA or an external one. */
export type Timestamper = (sha256Digest: Uint8Array) => Promise<Uint8Array>;

/** The signature-time-stamp unsigned attribute (DER): a timestamp over the SignerInfo's signature value (B-T). */
export const signatureTimestampAttribute = async (signatureValue: Uint8Array, timestamper: Timestamper): Promise<Uint8Array> => {
  const token = await timestamper(sha256(signatureValue));
  if (token[0] !== SEQUENCE || element(token, 0).end !== token.length) throw new Error('timestamp token is not DER');
  largestTimestampToken = Math.max(largestTimestampToken, token.length);
  return tlv(SEQUENCE, OID_SIGNATURE_TIME_STAMP, tlv(SET, token));
};

/**
 * Builds a detached CAdES signature over `contentDigest`, with the key behind `signer`: one
 * call to `signer.sign`, over a few hundred bytes. With a timestamper the signature value is
 * timestamped and the token added as an unsigned attribute (PAdES B-T); without, B-B.
 */
export const signCadesDetached = async (input: CadesInput, signer: KeySigner, timestamper?: Timestamper): Promise<Uint8Array> => {
  const signedAttributes = buildSignedAttributes(input);
  const signatureValue = await signer.sign(signedAttributesForSigning(signedAttributes));
  const unsignedAttributes = timestamper ? [await signatureTimestampAttribute(signatureValue, timestamper)] : [];
  return assembleCades({ ...input, signedAttributes, signatureValue, algorithm: signer.algorithm, unsignedAttributes });
};
