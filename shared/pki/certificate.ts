import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { latin1, toArrayBuffer } from '../util/bytes.js';
import { signatureAlgorithmDer } from './algorithms.js';
import { encodeExtensions } from './certificate-extensions.js';
import { certificateParts, element, generalizedTime, oidDer, TAG, tlv, utcTime, utf8 } from './der-write.js';
import type { KeySigner } from './key-signer.js';
import { OID } from './oids.js';

export interface DistinguishedName {
  readonly commonName: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly locality?: string;
  /** Two-letter country code, e.g. VN. */
  readonly country?: string;
  /** e.g. a tax code (MST) for an organisation seal. */
  readonly serialNumber?: string;
  /** userID (RFC 4519), e.g. "CCCD:<citizen ID number>": how Vietnamese CAs name a person's ID in the subject. */
  readonly userId?: string;
}

/** A certificatePolicies entry (RFC 5280 4.2.1.4) with an optional user notice shown by validators. */
export interface CertificatePolicy {
  readonly oid: string;
  /** explicitText of a userNotice qualifier (≤ 200 characters, UTF8String). */
  readonly notice?: string;
}

/** What the certificate is for; decides basic constraints, key usage and EKU. */
export type CertificateProfile = 'root-ca' | 'issuing-ca' | 'document-signing' | 'time-stamping';

export interface IssueCertificateInput {
  readonly subject: DistinguishedName;
  /** SubjectPublicKeyInfo of the new certificate's key, DER. */
  readonly subjectPublicKey: Uint8Array;
  readonly profile: CertificateProfile;
  readonly serialNumber: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The issuing key; for a self-signed root, the subject's own key. */
  readonly issuerSigner: KeySigner;
  /** Issuer certificate (DER); absent for a self-signed root. */
  readonly issuerCertificate?: Uint8Array;
  /** URL of the issuer's CRL (CRL distribution point) and certificate (AIA caIssuers). */
  readonly crlUrl?: string;
  readonly issuerCertUrl?: string;
  readonly policies?: readonly CertificatePolicy[];
  /** subjectAltName rfc822Name. */
  readonly email?: string;
}

const { SEQUENCE, SET, INTEGER, BIT_STRING, UTF8_STRING, PRINTABLE_STRING } = TAG;

/** RelativeDistinguishedName with one AttributeTypeAndValue. */
const rdn = (type: string, tag: number, value: Uint8Array): Uint8Array => tlv(SET, tlv(SEQUENCE, oidDer(type), tlv(tag, value)));

/**
 * A Name, DER, with one attribute per RDN in the usual order (C, L, O, OU, serialNumber, CN,
 * userID), the way pkijs would not: it puts every attribute into one multi-valued RDN, which
 * validators display and compare inconsistently. Empty optional fields are left out. C and
 * serialNumber are PrintableString written as asn1js does (the low byte of each UTF-16 unit,
 * unchecked); the rest UTF8String.
 */
const encodeName = (dn: DistinguishedName): Uint8Array => {
  const rdns: Uint8Array[] = [];
  if (dn.country) rdns.push(rdn(OID.countryName, PRINTABLE_STRING, latin1(dn.country)));
  if (dn.locality) rdns.push(rdn(OID.localityName, UTF8_STRING, utf8(dn.locality)));
  if (dn.organization) rdns.push(rdn(OID.organizationName, UTF8_STRING, utf8(dn.organization)));
  if (dn.organizationalUnit) rdns.push(rdn(OID.organizationalUnitName, UTF8_STRING, utf8(dn.organizationalUnit)));
  if (dn.serialNumber) rdns.push(rdn(OID.serialNumber, PRINTABLE_STRING, latin1(dn.serialNumber)));
  rdns.push(rdn(OID.commonName, UTF8_STRING, utf8(dn.commonName)));
  if (dn.userId) rdns.push(rdn(OID.userId, UTF8_STRING, utf8(dn.userId)));
  return tlv(SEQUENCE, ...rdns);
};

/** The Name issueCertificate writes for `dn`, as a pkijs object. */
export const buildName = (dn: DistinguishedName): pkijs.RelativeDistinguishedNames =>
  pkijs.RelativeDistinguishedNames.fromBER(toArrayBuffer(encodeName(dn)));

export const parseCertificate = (der: Uint8Array): pkijs.Certificate => pkijs.Certificate.fromBER(toArrayBuffer(der));

/** The subjectPublicKey BIT STRING's contents (unused-bits byte dropped), cut out of SubjectPublicKeyInfo DER. */
const subjectPublicKeyBits = (spki: Uint8Array): Uint8Array => {
  const info = element(spki, 0);
  const bitsAt = element(spki, info.start).end; // skip the AlgorithmIdentifier
  if (spki[0] !== SEQUENCE || spki[info.start] !== SEQUENCE || spki[bitsAt] !== BIT_STRING || info.end !== spki.length) {
    throw new Error('not a SubjectPublicKeyInfo');
  }
  const bits = element(spki, bitsAt);
  return spki.subarray(bits.start + 1, bits.end);
};

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 method 1). */
export const keyIdentifier = (spki: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha1').update(subjectPublicKeyBits(spki)).digest());

/** Issuer key identifiers by SPKI object: a signer hands out the same bytes on every call (KMS: cached per container). */
const issuerKeyIdentifiers = new WeakMap<Uint8Array, Uint8Array>();
const issuerKeyIdentifier = (spki: Uint8Array): Uint8Array => {
  let id = issuerKeyIdentifiers.get(spki);
  if (!id) {
    id = keyIdentifier(spki);
    issuerKeyIdentifiers.set(spki, id);
  }
  return id;
};

/**
 * pkijs.Time's choice: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). As
 * with pkijs, a GeneralizedTime keeps the Date's milliseconds, which RFC 5280 forbids and
 * openssl refuses. No certificate issued today reaches 2050 (the root's 20 years end in 2046);
 * a root made from 2030 on would, with the clock's milliseconds: kept for byte identity, to be
 * fixed (whole seconds) in its own change.
 */
const timeOf = (d: Date): Uint8Array => (d.getUTCFullYear() >= 2050 ? generalizedTime(d) : utcTime(d));

/** version [0] EXPLICIT INTEGER 2 (v3). */
const VERSION_3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);

/**
 * Issues an X.509 v3 certificate whose signature is made by `issuerSigner` (a KMS key in
 * production): the TBSCertificate is written here as DER, only its bytes go to the key. It runs
 * on every sign request (the signer's one-time certificate), so nothing is parsed: the issuer
 * Name is cut out of the issuer certificate and the subject's SPKI copied as given (pkijs
 * re-encoded both, which gives back the same bytes for DER: our CA certificates, and keys
 * from node:crypto and KMS). The output is byte for byte what pkijs wrote before
 * (test/unit/pki/certificate-der.test.ts).
 */
export const issueCertificate = async (input: IssueCertificateInput): Promise<Uint8Array> => {
  // Serial numbers are positive: the top bit of the first byte is cleared, and a first byte
  // that becomes 0 is set to 1 (so the INTEGER stays minimal). The bytes are the INTEGER's
  // contents as they are: asn1js wrote valueHex unchanged, leading zeros (impossible here) too.
  const serial = Uint8Array.from(input.serialNumber);
  serial[0] = (serial[0] ?? 1) & 0x7f || 1;
  const subject = encodeName(input.subject);
  const issuerSpki = await input.issuerSigner.publicKey();
  const extensions = encodeExtensions({
    profile: input.profile,
    subjectKeyIdentifier: keyIdentifier(input.subjectPublicKey),
    authorityKeyIdentifier: issuerKeyIdentifier(issuerSpki),
    ...(input.crlUrl ? { crlUrl: input.crlUrl } : {}),
    ...(input.issuerCertUrl ? { issuerCertUrl: input.issuerCertUrl } : {}),
    ...(input.policies ? { policies: input.policies } : {}),
    ...(input.email ? { email: input.email } : {}),
  });
  const algorithm = signatureAlgorithmDer(input.issuerSigner.algorithm);
  const tbs = tlv(
    SEQUENCE,
    VERSION_3,
    tlv(INTEGER, serial),
    algorithm,
    // The issuer is named exactly as in its certificate (RFC 5280 7.1 compares the bytes).
    input.issuerCertificate ? certificateParts(input.issuerCertificate).subject : subject,
    tlv(SEQUENCE, timeOf(input.notBefore), timeOf(input.notAfter)),
    subject,
    input.subjectPublicKey,
    tlv(0xa3, tlv(SEQUENCE, ...extensions)),
  );
  const signature = await input.issuerSigner.sign(tbs);
  return tlv(SEQUENCE, tbs, algorithm, tlv(BIT_STRING, Uint8Array.of(0), signature));
};

export const toPem = (der: Uint8Array, label = 'CERTIFICATE'): string => {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
};

export const fromPem = (pem: string): Uint8Array[] =>
  [...pem.matchAll(/-----BEGIN [A-Z ]+-----([\s\S]*?)-----END [A-Z ]+-----/g)].map(
    (m) => new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')),
  );
