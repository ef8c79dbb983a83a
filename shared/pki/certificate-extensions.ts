import { latin1 } from '../util/bytes.js';
import type { CertificatePolicy, CertificateProfile } from './certificate.js';
import { oidDer, TAG, tlv, utf8 } from './der-write.js';
import { OID } from './oids.js';

/**
 * The extensions of an issued certificate (RFC 5280 4.2), DER, byte for byte what pkijs wrote
 * for them before (test/unit/pki/certificate-der.test.ts). What depends only on the profile is
 * encoded once.
 */

const { SEQUENCE, OCTET_STRING, UTF8_STRING } = TAG;
/** GeneralName uniformResourceIdentifier and rfc822Name: [6] and [1] IMPLICIT IA5String. */
const URI = 0x86;
const RFC822_NAME = 0x81;
const TRUE = Uint8Array.of(0x01, 0x01, 0xff);

/** Extension: extnID, critical only when true (DEFAULT FALSE), extnValue. */
const extension = (extnID: string, critical: boolean, value: Uint8Array): Uint8Array =>
  critical ? tlv(SEQUENCE, oidDer(extnID), TRUE, tlv(OCTET_STRING, value)) : tlv(SEQUENCE, oidDer(extnID), tlv(OCTET_STRING, value));

/** BasicConstraints: cA TRUE for the CAs, pathLenConstraint 0 for the issuing CA, empty for end entities. */
const basicConstraints = (profile: CertificateProfile): Uint8Array => {
  if (profile === 'root-ca') return tlv(SEQUENCE, TRUE);
  if (profile === 'issuing-ca') return tlv(SEQUENCE, TRUE, Uint8Array.of(0x02, 0x01, 0x00));
  return tlv(SEQUENCE);
};

/** KeyUsage BIT STRING: unused bits, then bit 0 digitalSignature, 1 nonRepudiation, 5 keyCertSign, 6 cRLSign (MSB first). */
const keyUsage = (profile: CertificateProfile): Uint8Array => {
  if (profile === 'root-ca' || profile === 'issuing-ca') return Uint8Array.of(0x03, 0x02, 1, 0b1000_0110);
  if (profile === 'time-stamping') return Uint8Array.of(0x03, 0x02, 7, 0b1000_0000);
  return Uint8Array.of(0x03, 0x02, 6, 0b1100_0000);
};

const PROFILES: readonly CertificateProfile[] = ['root-ca', 'issuing-ca', 'document-signing', 'time-stamping'];

/** basicConstraints and keyUsage (both critical), per profile. */
const PROFILE_EXTENSIONS = new Map(
  PROFILES.map((profile) => [
    profile,
    [extension(OID.basicConstraints, true, basicConstraints(profile)), extension(OID.keyUsage, true, keyUsage(profile))],
  ]),
);

/** extKeyUsage timeStamping only, critical (RFC 3161 2.3). */
const TIME_STAMPING_EKU = extension(OID.extKeyUsage, true, tlv(SEQUENCE, oidDer(OID.timeStamping)));

export interface ExtensionsInput {
  readonly profile: CertificateProfile;
  readonly subjectKeyIdentifier: Uint8Array;
  readonly authorityKeyIdentifier: Uint8Array;
  readonly crlUrl?: string;
  readonly issuerCertUrl?: string;
  readonly policies?: readonly CertificatePolicy[];
  readonly email?: string;
}

/** certificatePolicies: each policy with, when it has a notice, one userNotice qualifier (explicitText UTF8String). */
const certificatePolicies = (policies: readonly CertificatePolicy[]): Uint8Array =>
  tlv(
    SEQUENCE,
    ...policies.map((p) =>
      p.notice
        ? tlv(
            SEQUENCE,
            oidDer(p.oid),
            tlv(SEQUENCE, tlv(SEQUENCE, oidDer(OID.userNotice), tlv(SEQUENCE, tlv(UTF8_STRING, utf8(p.notice))))),
          )
        : tlv(SEQUENCE, oidDer(p.oid)),
    ),
  );

/**
 * The extensions in the order pkijs was given them: basicConstraints, keyUsage, subject and
 * authority key identifiers, EKU (TSA only), CRL distribution point, AIA caIssuers, policies,
 * subjectAltName. URIs and the e-mail are IA5String bytes as asn1js writes them: the low byte
 * of each UTF-16 unit, unchecked.
 */
export const encodeExtensions = (input: ExtensionsInput): Uint8Array[] => {
  const extensions = [
    ...(PROFILE_EXTENSIONS.get(input.profile) ?? []),
    extension(OID.subjectKeyIdentifier, false, tlv(OCTET_STRING, input.subjectKeyIdentifier)),
    // AuthorityKeyIdentifier { keyIdentifier [0] IMPLICIT OCTET STRING }
    extension(OID.authorityKeyIdentifier, false, tlv(SEQUENCE, tlv(0x80, input.authorityKeyIdentifier))),
  ];
  if (input.profile === 'time-stamping') extensions.push(TIME_STAMPING_EKU);
  if (input.crlUrl) {
    // DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier } } }
    const point = tlv(SEQUENCE, tlv(0xa0, tlv(0xa0, tlv(URI, latin1(input.crlUrl)))));
    extensions.push(extension(OID.crlDistributionPoints, false, tlv(SEQUENCE, point)));
  }
  if (input.issuerCertUrl) {
    const caIssuers = tlv(SEQUENCE, oidDer(OID.caIssuers), tlv(URI, latin1(input.issuerCertUrl)));
    extensions.push(extension(OID.authorityInfoAccess, false, tlv(SEQUENCE, caIssuers)));
  }
  if (input.policies?.length) extensions.push(extension(OID.certificatePolicies, false, certificatePolicies(input.policies)));
  if (input.email) extensions.push(extension(OID.subjectAltName, false, tlv(SEQUENCE, tlv(RFC822_NAME, latin1(input.email)))));
  return extensions;
};
