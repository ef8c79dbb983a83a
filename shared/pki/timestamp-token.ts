import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Clock } from '../envelope/ports.js';
import { sha256, toArrayBuffer } from '../util/bytes.js';
import { sha256AlgorithmIdentifier, signatureAlgorithmIdentifier } from './algorithms.js';
import { parseCertificate } from './certificate.js';
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

export const KYSO_TSA_POLICY_DER = new Uint8Array(new asn1js.ObjectIdentifier({ value: KYSO_TSA_POLICY }).toBER(false));

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
  /** Subject of the TSA certificate, put in TSTInfo.tsa as a directoryName. */
  readonly tsaName?: pkijs.RelativeDistinguishedNames;
}

/** 128 random bits as a positive, minimal INTEGER (leading zero bytes dropped, sign byte added). */
export const randomSerialNumber = (): Uint8Array => {
  let bytes = Uint8Array.from(randomBytes(16));
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  return (bytes[0] ?? 0) & 0x80 ? Uint8Array.of(0, ...bytes) : bytes;
};

const explicit = (tagNumber: number, inner: asn1js.BaseBlock) =>
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber }, value: [inner] });

/** TSTInfo (RFC 3161 2.4.2), DER. Accuracy is 1 s; ordering is left at its default (false). */
export const encodeTstInfo = (input: TstInfoInput): Uint8Array => {
  const value: asn1js.BaseBlock[] = [
    new asn1js.Integer({ value: 1 }),
    new asn1js.ObjectIdentifier({ value: KYSO_TSA_POLICY }),
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({
          value: [new asn1js.ObjectIdentifier({ value: TIMESTAMP_HASHES[input.hashAlgorithm].oid }), new asn1js.Null()],
        }),
        new asn1js.OctetString({ valueHex: toArrayBuffer(input.hashedMessage) }),
      ],
    }),
    new asn1js.Integer({ valueHex: toArrayBuffer(input.serialNumber) }),
    // asn1js writes GeneralizedTime in UTC with "Z" and trims trailing zeros of the fraction, as DER wants.
    new asn1js.GeneralizedTime({ valueDate: input.genTime }),
    new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 })] }),
  ];
  if (input.nonce) value.push(new asn1js.Integer({ valueHex: toArrayBuffer(input.nonce) }));
  if (input.tsaName) value.push(explicit(0, explicit(4, input.tsaName.toSchema())));
  return new Uint8Array(new asn1js.Sequence({ value }).toBER(false));
};

/** ESS signing-certificate-v2 value: SHA-256 of the TSA certificate plus its issuer and serial. */
const essSigningCertificateV2 = (certDer: Uint8Array): asn1js.Sequence => {
  const cert = parseCertificate(certDer);
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [explicit(4, cert.issuer.toSchema())] }),
      new asn1js.Integer({ valueHex: toArrayBuffer(cert.serialNumber.valueBlock.valueHexView) }),
    ],
  });
  // hashAlgorithm omitted: its DEFAULT is SHA-256, and DER omits defaults.
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(certDer)) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
};

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  }
  return a.length - b.length;
};

/**
 * Wraps a TSTInfo into a timestamp token: CMS SignedData (RFC 5652) with the TSTInfo
 * encapsulated, signed attributes content-type, message-digest and signing-certificate-v2,
 * one KeySigner call over their DER. `includeCertificates` answers the request's certReq.
 */
export const signTstInfo = async (tstInfo: Uint8Array, tsa: TsaCredentials, includeCertificates: boolean): Promise<Uint8Array> => {
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(tstInfo)) })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [essSigningCertificateV2(tsa.certificate)] }),
  ]
    .map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER(false)) }))
    .sort((x, y) => compareBytes(x.der, y.der))
    .map((e) => e.a);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  // The signature covers the attributes with the SET OF tag, not the [0] they are stored under.
  const toSign = new Uint8Array(signedAttrs.toSchema().toBER(false));
  toSign[0] = 0x31;
  const signature = await tsa.signer.sign(toSign);

  const cert = parseCertificate(tsa.certificate);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: sha256AlgorithmIdentifier(),
    signedAttrs,
    signatureAlgorithm: signatureAlgorithmIdentifier(tsa.signer.algorithm),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const encapContentInfo = new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo });
  // Assigned after construction: the constructor would re-wrap it as a BER constructed OCTET STRING.
  encapContentInfo.eContent = new asn1js.OctetString({ valueHex: toArrayBuffer(tstInfo) });
  const signedData = new pkijs.SignedData({
    // Version 3: the encapsulated content is not id-data (RFC 5652 5.1).
    version: 3,
    digestAlgorithms: [sha256AlgorithmIdentifier()],
    encapContentInfo,
    ...(includeCertificates ? { certificates: [cert, ...tsa.chain.map(parseCertificate)] } : {}),
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(false) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
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
    tsaName: parseCertificate(input.tsa.certificate).subject,
    ...(input.nonce ? { nonce: input.nonce } : {}),
  });
  return signTstInfo(tstInfo, input.tsa, input.includeCertificates ?? true);
};
