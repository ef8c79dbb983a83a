import { createHash, createPublicKey, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer, toHex } from '../util/bytes.js';

/** Digest algorithms a signature may name; anything else is reported as unsupported. */
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** Signature algorithms that fix their own hash (ECDSA and RSA PKCS#1 v1.5). */
const SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
};
/** Key algorithms named as "signature algorithm" (the hash then comes from digestAlgorithm). */
const BARE_KEY_ALGORITHMS = new Set(['1.2.840.113549.1.1.1', '1.2.840.10045.2.1']);

export const hashName = (oid: string): string | undefined => HASHES[oid];
export const digest = (name: string, parts: readonly Uint8Array[]): Uint8Array => {
  const h = createHash(name);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/**
 * Checks a signature value with node:crypto against a SubjectPublicKeyInfo: ECDSA (DER
 * signature) or RSA PKCS#1 v1.5. RSASSA-PSS is not accepted (we never produce it).
 */
export const verifyWithSpki = (
  algorithmOid: string,
  digestOid: string,
  data: Uint8Array,
  signature: Uint8Array,
  spki: Uint8Array,
): boolean => {
  const hash = SIGNATURE_HASHES[algorithmOid] ?? (BARE_KEY_ALGORITHMS.has(algorithmOid) ? HASHES[digestOid] : undefined);
  if (!hash) return false;
  try {
    return verify(hash, data, createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }), signature);
  } catch {
    return false;
  }
};

const parsed = new Map<string, pkijs.SignedData>();
export const clearSignedDataCache = (): void => parsed.clear();

/**
 * pkijs needs ~10-20 ms to read a CMS with its certificates; one verification reads each
 * signature and timestamp token several times (certificate pool, checks), so parses are
 * kept by content hash for the duration of one verification (the objects are never modified).
 */
export const signedDataOf = (cms: Uint8Array): pkijs.SignedData => {
  const key = createHash('sha256').update(cms).digest('base64');
  let sd = parsed.get(key);
  if (!sd) {
    sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(cms)).content });
    if (parsed.size >= 256) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, sd);
  }
  return sd;
};

export interface SignedDataCheck {
  readonly signedData: pkijs.SignedData;
  readonly signerInfo: pkijs.SignerInfo;
  /** Every certificate carried in the CMS, DER. */
  readonly certificates: Uint8Array[];
  /** CRLs carried in the CMS (RevocationInfoChoices), DER. */
  readonly crls: Uint8Array[];
  readonly signerCertificate?: Uint8Array;
  readonly digestAlgorithm?: string;
  /** message-digest attribute equals the hash of the content. */
  readonly digestMatches: boolean;
  readonly signatureValid: boolean;
  /** The signature value octets (what a signature timestamp is over). */
  readonly signatureValue: Uint8Array;
  readonly problem?: string;
}

const der = (o: { toSchema(): asn1js.BaseBlock }): Uint8Array => new Uint8Array(o.toSchema().toBER(false));
const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The certificate the SignerInfo names (issuer + serial, or subject key identifier). */
const findSigner = (si: pkijs.SignerInfo, certs: pkijs.Certificate[]): pkijs.Certificate | undefined => {
  const sid = si.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return certs.find(
      (c) =>
        c.issuer.isEqual(sid.issuer) &&
        toHex(new Uint8Array(c.serialNumber.valueBlock.valueHexView)) === toHex(new Uint8Array(sid.serialNumber.valueBlock.valueHexView)),
    );
  }
  const ski = new Uint8Array((sid as asn1js.OctetString).valueBlock?.valueHexView ?? []);
  return certs.find((c) => {
    const ext = c.extensions?.find((e) => e.extnID === '2.5.29.14');
    return ext && bytesEqual(new Uint8Array((ext.parsedValue as asn1js.OctetString).valueBlock.valueHexView), ski);
  });
};

/**
 * Parses a CMS SignedData (detached PAdES signature or a timestamp token) and checks its
 * first SignerInfo: the message-digest attribute against `contentParts` (hashed with the
 * SignerInfo's digest algorithm) and the signature over the DER SET OF signed attributes.
 */
export const verifySignedData = (cms: Uint8Array, contentParts: readonly Uint8Array[]): SignedDataCheck => {
  const signedData = signedDataOf(cms);
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo) throw new Error('the CMS has no SignerInfo');
  const certObjects = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const certificates = certObjects.map((c) => new Uint8Array(c.toSchema().toBER(false)));
  const crls = (signedData.crls ?? [])
    .filter((c): c is pkijs.CertificateRevocationList => c instanceof pkijs.CertificateRevocationList)
    .map((c) => der(c));
  const signatureValue = new Uint8Array(signerInfo.signature.valueBlock.valueHexView);
  const base = { signedData, signerInfo, certificates, crls, signatureValue };
  const signer = findSigner(signerInfo, certObjects);
  const signerCertificate = signer ? new Uint8Array(signer.toSchema().toBER(false)) : undefined;
  const withSigner = { ...base, ...(signerCertificate ? { signerCertificate } : {}) };
  const digestOid = signerInfo.digestAlgorithm.algorithmId;
  const hash = HASHES[digestOid];
  if (!hash) return { ...withSigner, digestMatches: false, signatureValid: false, problem: `unsupported digest algorithm ${digestOid}` };
  const content = digest(hash, contentParts);
  const attrs = signerInfo.signedAttrs;
  const md = attrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.4')?.values[0];
  const digestMatches = md instanceof asn1js.OctetString && bytesEqual(new Uint8Array(md.valueBlock.valueHexView), content);
  if (!signerCertificate || !signer)
    return { ...withSigner, digestAlgorithm: hash, digestMatches, signatureValid: false, problem: 'signer certificate not in the CMS' };
  // The signature is over the signed attributes re-tagged as SET OF (0x31), or over the content when there are none.
  let signed: Uint8Array;
  if (attrs) {
    signed = new Uint8Array(attrs.encodedValue.byteLength ? attrs.encodedValue : attrs.toSchema().toBER(false));
    signed = Uint8Array.from(signed);
    signed[0] = 0x31;
  } else {
    signed = Uint8Array.from(contentParts.flatMap((p) => [...p]));
  }
  const spki = new Uint8Array(signer.subjectPublicKeyInfo.toSchema().toBER(false));
  const signatureValid = verifyWithSpki(signerInfo.signatureAlgorithm.algorithmId, digestOid, signed, signatureValue, spki);
  return { ...withSigner, digestAlgorithm: hash, digestMatches: attrs ? digestMatches : signatureValid, signatureValid };
};
