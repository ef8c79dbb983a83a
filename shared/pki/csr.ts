import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../util/bytes.js';
import { signatureAlgorithmIdentifier } from './algorithms.js';
import type { KeySigner } from './key-signer.js';
import { OID } from './oids.js';

/** userID (RFC 4519): Vietnamese CAs carry the tax code there as "MST:<tax code>" in organisation certificates. */
export const OID_USER_ID = OID.userId;
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_STATE = '2.5.4.8';

export interface SealSubject {
  /** Registered company name, e.g. "CÔNG TY TNHH THỬ NGHIỆM": CN and O. */
  readonly companyName: string;
  /** Mã số thuế (10 or 13 digits, 13 as NNNNNNNNNN-NNN). */
  readonly taxCode: string;
  /** Province or city, e.g. "Hà Nội" (ST). */
  readonly province?: string;
  readonly locality?: string;
}

/**
 * The subject of an organisation seal request, in the shape Vietnamese public CAs issue:
 * C=VN, ST, L, O, CN = the company name, and UID = "MST:<tax code>" (the convention of
 * VNPT-CA, Viettel-CA, MISA and others for organisation certificates). One attribute per RDN.
 */
export const sealSubjectName = (s: SealSubject): pkijs.RelativeDistinguishedNames => {
  const atvs: [string, asn1js.BaseBlock][] = [[OID.countryName, new asn1js.PrintableString({ value: 'VN' })]];
  if (s.province) atvs.push([OID_STATE, new asn1js.Utf8String({ value: s.province })]);
  if (s.locality) atvs.push([OID.localityName, new asn1js.Utf8String({ value: s.locality })]);
  atvs.push([OID.organizationName, new asn1js.Utf8String({ value: s.companyName })]);
  atvs.push([OID.commonName, new asn1js.Utf8String({ value: s.companyName })]);
  atvs.push([OID_USER_ID, new asn1js.Utf8String({ value: `MST:${s.taxCode}` })]);
  const der = new asn1js.Sequence({
    value: atvs.map(
      ([type, value]) => new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: value as never }).toSchema()] }),
    ),
  }).toBER(false);
  return pkijs.RelativeDistinguishedNames.fromBER(der);
};

/**
 * A PKCS#10 certification request (RFC 2986) for a key that stays in KMS: the
 * CertificationRequestInfo is encoded here and only its bytes go to `signer`. It asks for
 * key usage digitalSignature + nonRepudiation (critical), the usual profile of a seal.
 */
export const createCsr = async (subject: pkijs.RelativeDistinguishedNames, signer: KeySigner): Promise<Uint8Array> => {
  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject = subject;
  csr.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(await signer.publicKey()));
  const keyUsage = new pkijs.Extension({
    extnID: OID.keyUsage,
    critical: true,
    extnValue: new asn1js.BitString({ valueHex: Uint8Array.of(0b1100_0000).buffer, unusedBits: 6 }).toBER(false),
  });
  csr.attributes = [
    new pkijs.Attribute({ type: OID_EXTENSION_REQUEST, values: [new pkijs.Extensions({ extensions: [keyUsage] }).toSchema()] }),
  ];
  csr.signatureAlgorithm = signatureAlgorithmIdentifier(signer.algorithm);
  // encodeTBS is protected in the typings but is the documented way to get the CertificationRequestInfo.
  const tbs = new Uint8Array((csr as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER(false));
  csr.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(await signer.sign(tbs)) });
  return new Uint8Array(csr.toSchema(true).toBER(false));
};

export const parseCsr = (der: Uint8Array): pkijs.CertificationRequest => pkijs.CertificationRequest.fromBER(toArrayBuffer(der));
