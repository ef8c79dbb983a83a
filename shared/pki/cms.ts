import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sha256, toArrayBuffer } from '../util/bytes.js';
import { sha256AlgorithmIdentifier, signatureAlgorithmIdentifier } from './algorithms.js';
import { parseCertificate } from './certificate.js';
import type { KeySigner } from './key-signer.js';
import { OID } from './oids.js';

export interface CadesInput {
  /** SHA-256 of the signed content (for PAdES: the ByteRange bytes). */
  readonly contentDigest: Uint8Array;
  /** The signer's certificate, DER. */
  readonly signerCertificate: Uint8Array;
  /** Intermediate and root certificates to embed, DER, signer's issuer first. */
  readonly chain: readonly Uint8Array[];
}

/** ESS signing-certificate-v2 (RFC 5035): binds the signer certificate into the signed attributes. */
const signingCertificateV2 = (certDer: Uint8Array, cert: pkijs.Certificate): asn1js.Sequence =>
  new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              // hashAlgorithm omitted: DEFAULT sha256
              new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(certDer)) }),
              new asn1js.Sequence({
                value: [
                  new asn1js.Sequence({
                    value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })],
                  }),
                  new asn1js.Integer({ valueHex: toArrayBuffer(cert.serialNumber.valueBlock.valueHexView) }),
                ],
              }),
            ],
          }),
        ],
      }),
    ],
  });

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  }
  return a.length - b.length;
};

/**
 * The signed attributes of a PAdES baseline signature: content-type, message-digest and
 * signing-certificate-v2, and deliberately no signing-time (PAdES puts the claimed time
 * in the signature dictionary's /M and the trusted time in the signature timestamp).
 * Sorted by encoding, as DER requires of a SET OF.
 */
export const buildSignedAttributes = (input: CadesInput): pkijs.SignedAndUnsignedAttributes => {
  const cert = parseCertificate(input.signerCertificate);
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(input.contentDigest) })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(input.signerCertificate, cert)] }),
  ];
  const encoded = attributes.map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER(false)) }));
  encoded.sort((x, y) => compareBytes(x.der, y.der));
  return new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: encoded.map((e) => e.a) });
};

/** The bytes a signature value is computed over: the signed attributes re-tagged as SET OF (0x31). */
export const signedAttributesForSigning = (attrs: pkijs.SignedAndUnsignedAttributes): Uint8Array => {
  const der = new Uint8Array(attrs.toSchema().toBER(false));
  der[0] = 0x31;
  return der;
};

export interface AssembleCadesInput extends CadesInput {
  readonly signedAttributes: pkijs.SignedAndUnsignedAttributes;
  readonly signatureValue: Uint8Array;
  readonly algorithm: KeySigner['algorithm'];
  /** Unsigned attributes (e.g. a signature timestamp), if any. */
  readonly unsignedAttributes?: readonly pkijs.Attribute[];
}

/** Wraps signed attributes and a signature value into a detached CMS SignedData ContentInfo (DER). */
export const assembleCades = (input: AssembleCadesInput): Uint8Array => {
  const cert = parseCertificate(input.signerCertificate);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: sha256AlgorithmIdentifier(),
    signedAttrs: input.signedAttributes,
    signatureAlgorithm: signatureAlgorithmIdentifier(input.algorithm),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(input.signatureValue) }),
    ...(input.unsignedAttributes?.length
      ? { unsignedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [...input.unsignedAttributes] }) }
      : {}),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256AlgorithmIdentifier()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert, ...input.chain.map(parseCertificate)],
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(false) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
};

/** Returns an RFC 3161 token (DER ContentInfo) over a SHA-256 digest: the platform TSA or an external one. */
export type Timestamper = (sha256Digest: Uint8Array) => Promise<Uint8Array>;

/** The signature-time-stamp unsigned attribute: a timestamp over the SignerInfo's signature value (B-T). */
export const signatureTimestampAttribute = async (signatureValue: Uint8Array, timestamper: Timestamper): Promise<pkijs.Attribute> => {
  const token = await timestamper(sha256(signatureValue));
  const parsed = asn1js.fromBER(toArrayBuffer(token));
  if (parsed.offset === -1) throw new Error('timestamp token is not DER');
  return new pkijs.Attribute({ type: OID.signatureTimeStamp, values: [parsed.result] });
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
