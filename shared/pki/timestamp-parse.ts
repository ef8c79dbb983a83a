import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer, toHex } from '../util/bytes.js';
import { oidOf } from './der.js';
import { OID } from './oids.js';
import { hashAlgorithmForOid, type TimestampHashAlgorithm } from './timestamp-request.js';

/** What a timestamp token says, read from its TSTInfo (the CMS signature is not checked here). */
export interface TimestampTokenInfo {
  readonly policy: string;
  readonly hashAlgorithm: TimestampHashAlgorithm | undefined;
  readonly hashAlgorithmOid: string;
  readonly hashedMessage: Uint8Array;
  /** Serial number as lower-case hex of its INTEGER content octets. */
  readonly serialNumber: string;
  readonly genTime: Date;
  readonly nonce?: Uint8Array;
  /** The DER TSTInfo, as signed. */
  readonly tstInfo: Uint8Array;
  /** Certificates carried in the SignedData, DER. */
  readonly certificates: Uint8Array[];
}

const fail = (why: string): never => {
  throw new Error(`not an RFC 3161 timestamp token: ${why}`);
};

/** The bytes of an OCTET STRING, whether primitive or (BER) constructed from segments. */
const octetStringBytes = (b: asn1js.OctetString): Uint8Array => {
  if (!b.idBlock.isConstructed) return new Uint8Array(b.valueBlock.valueHexView);
  const parts = b.valueBlock.value.map((p) => octetStringBytes(p as asn1js.OctetString));
  return Uint8Array.from(parts.flatMap((p) => [...p]));
};

const isUniversal = (b: asn1js.AsnType | undefined, tagNumber: number): b is asn1js.BaseBlock =>
  !!b && b.idBlock.tagClass === 1 && b.idBlock.tagNumber === tagNumber;

/** Reads a timestamp token (ContentInfo with SignedData over a TSTInfo). Lenient about BER: tokens may come from other TSAs. */
export const parseTimestampToken = (token: Uint8Array): TimestampTokenInfo => {
  const asn1 = asn1js.fromBER(toArrayBuffer(token));
  if (asn1.offset === -1) fail('not ASN.1');
  const contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
  if (contentInfo.contentType !== OID.signedData) fail('not SignedData');
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  const eci = signedData.encapContentInfo;
  if (eci.eContentType !== OID.tstInfo) fail(`eContentType is ${eci.eContentType}`);
  if (!eci.eContent) fail('no encapsulated TSTInfo');
  const tstInfo = octetStringBytes(eci.eContent as asn1js.OctetString);

  const seq = asn1js.fromBER(toArrayBuffer(tstInfo)).result;
  if (!(seq instanceof asn1js.Sequence)) return fail('TSTInfo is not a SEQUENCE');
  const [version, policy, imprint, serial, genTime, ...rest] = seq.valueBlock.value;
  if (!isUniversal(version, 2) || !isUniversal(policy, 6) || !(imprint instanceof asn1js.Sequence) || !isUniversal(serial, 2)) {
    return fail('malformed TSTInfo');
  }
  if (!(genTime instanceof asn1js.GeneralizedTime)) return fail('malformed genTime');
  const [alg, hashed] = imprint.valueBlock.value;
  const algOid = alg instanceof asn1js.Sequence ? alg.valueBlock.value[0] : undefined;
  if (!isUniversal(algOid, 6) || !isUniversal(hashed, 4)) return fail('malformed messageImprint');
  const hashAlgorithmOid = oidOf(algOid);
  const nonce = rest.find((b) => isUniversal(b, 2)) as asn1js.Integer | undefined;
  return {
    policy: oidOf(policy),
    hashAlgorithm: hashAlgorithmForOid(hashAlgorithmOid),
    hashAlgorithmOid,
    hashedMessage: new Uint8Array((hashed as asn1js.OctetString).valueBlock.valueHexView),
    serialNumber: toHex(new Uint8Array((serial as asn1js.Integer).valueBlock.valueHexView)),
    genTime: genTime.toDate(),
    tstInfo,
    certificates: (signedData.certificates ?? [])
      .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
      .map((c) => new Uint8Array(c.toSchema().toBER(false))),
    ...(nonce ? { nonce: new Uint8Array(nonce.valueBlock.valueHexView) } : {}),
  };
};
