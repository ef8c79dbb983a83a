import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../util/bytes.js';
import { signatureAlgorithmIdentifier } from './algorithms.js';
import { certificateParts } from './der-write.js';
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

/**
 * A Name with one attribute per RDN (C, L, O, OU, serialNumber, CN), the usual shape.
 * pkijs would put every attribute into one multi-valued RDN, which validators display and
 * compare inconsistently, so the DER is built here and parsed back.
 */
export const buildName = (dn: DistinguishedName): pkijs.RelativeDistinguishedNames => {
  const atvs: pkijs.AttributeTypeAndValue[] = [];
  const add = (type: string, value: pkijs.AttributeValueType) => atvs.push(new pkijs.AttributeTypeAndValue({ type, value }));
  if (dn.country) add(OID.countryName, new asn1js.PrintableString({ value: dn.country }));
  if (dn.locality) add(OID.localityName, new asn1js.Utf8String({ value: dn.locality }));
  if (dn.organization) add(OID.organizationName, new asn1js.Utf8String({ value: dn.organization }));
  if (dn.organizationalUnit) add(OID.organizationalUnitName, new asn1js.Utf8String({ value: dn.organizationalUnit }));
  if (dn.serialNumber) add(OID.serialNumber, new asn1js.PrintableString({ value: dn.serialNumber }));
  add(OID.commonName, new asn1js.Utf8String({ value: dn.commonName }));
  if (dn.userId) add(OID.userId, new asn1js.Utf8String({ value: dn.userId }));
  const der = new asn1js.Sequence({ value: atvs.map((atv) => new asn1js.Set({ value: [atv.toSchema()] })) }).toBER(false);
  return pkijs.RelativeDistinguishedNames.fromBER(der);
};

export const parseCertificate = (der: Uint8Array): pkijs.Certificate => pkijs.Certificate.fromBER(toArrayBuffer(der));

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 method 1). */
export const keyIdentifier = (spki: Uint8Array): Uint8Array => {
  const info = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(spki));
  return new Uint8Array(createHash('sha1').update(info.subjectPublicKey.valueBlock.valueHexView).digest());
};

const keyUsageBits = (profile: CertificateProfile): { byte: number; unused: number } => {
  // bit 0 digitalSignature, 1 nonRepudiation, 5 keyCertSign, 6 cRLSign (MSB first)
  if (profile === 'root-ca' || profile === 'issuing-ca') return { byte: 0b1000_0110, unused: 1 };
  if (profile === 'time-stamping') return { byte: 0b1000_0000, unused: 7 };
  return { byte: 0b1100_0000, unused: 6 };
};

const extension = (extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension =>
  new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });

const certificatePolicies = (policies: readonly CertificatePolicy[]): asn1js.Sequence =>
  new asn1js.Sequence({
    value: policies.map(
      (p) =>
        new asn1js.Sequence({
          value: [
            new asn1js.ObjectIdentifier({ value: p.oid }),
            ...(p.notice
              ? [
                  new asn1js.Sequence({
                    value: [
                      new asn1js.Sequence({
                        value: [
                          new asn1js.ObjectIdentifier({ value: OID.userNotice }),
                          new asn1js.Sequence({ value: [new asn1js.Utf8String({ value: p.notice })] }),
                        ],
                      }),
                    ],
                  }),
                ]
              : []),
          ],
        }),
    ),
  });

const timeOf = (d: Date) => new pkijs.Time({ type: d.getUTCFullYear() >= 2050 ? 1 : 0, value: d });

/** An issuer's subject Name, parsed once per issuer certificate (a CA issues many; the object is only read). */
const issuerSubjects = new WeakMap<Uint8Array, pkijs.RelativeDistinguishedNames>();
const subjectOf = (der: Uint8Array): pkijs.RelativeDistinguishedNames => {
  let subject = issuerSubjects.get(der);
  if (!subject) {
    subject = pkijs.RelativeDistinguishedNames.fromBER(toArrayBuffer(certificateParts(der).subject));
    issuerSubjects.set(der, subject);
  }
  return subject;
};

/**
 * Issues an X.509 v3 certificate whose signature is made by `issuerSigner` (a KMS key in
 * production): the TBSCertificate is encoded here, only its bytes go to the key.
 */
export const issueCertificate = async (input: IssueCertificateInput): Promise<Uint8Array> => {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  // Serial numbers are positive: clear the top bit.
  const serial = Uint8Array.from(input.serialNumber);
  serial[0] = (serial[0] ?? 1) & 0x7f || 1;
  cert.serialNumber = new asn1js.Integer({ valueHex: toArrayBuffer(serial) });
  cert.subject = buildName(input.subject);
  cert.issuer = input.issuerCertificate ? subjectOf(input.issuerCertificate) : buildName(input.subject);
  cert.notBefore = timeOf(input.notBefore);
  cert.notAfter = timeOf(input.notAfter);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(input.subjectPublicKey));

  const isCa = input.profile === 'root-ca' || input.profile === 'issuing-ca';
  const issuerSpki = await input.issuerSigner.publicKey();
  const ku = keyUsageBits(input.profile);
  const extensions: pkijs.Extension[] = [
    extension(
      OID.basicConstraints,
      true,
      new pkijs.BasicConstraints(isCa ? { cA: true, ...(input.profile === 'issuing-ca' ? { pathLenConstraint: 0 } : {}) } : {}).toSchema(),
    ),
    extension(OID.keyUsage, true, new asn1js.BitString({ valueHex: new Uint8Array([ku.byte]).buffer, unusedBits: ku.unused })),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: toArrayBuffer(keyIdentifier(input.subjectPublicKey)) })),
    extension(
      OID.authorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(keyIdentifier(issuerSpki)) }),
      }).toSchema(),
    ),
  ];
  if (input.profile === 'time-stamping') {
    extensions.push(extension(OID.extKeyUsage, true, new pkijs.ExtKeyUsage({ keyPurposes: [OID.timeStamping] }).toSchema()));
  }
  if (input.crlUrl) {
    extensions.push(
      extension(
        OID.crlDistributionPoints,
        false,
        new pkijs.CRLDistributionPoints({
          distributionPoints: [
            new pkijs.DistributionPoint({
              distributionPoint: [new pkijs.GeneralName({ type: 6, value: input.crlUrl })],
            }),
          ],
        }).toSchema(),
      ),
    );
  }
  if (input.issuerCertUrl) {
    extensions.push(
      extension(
        OID.authorityInfoAccess,
        false,
        new pkijs.InfoAccess({
          accessDescriptions: [
            new pkijs.AccessDescription({
              accessMethod: OID.caIssuers,
              accessLocation: new pkijs.GeneralName({ type: 6, value: input.issuerCertUrl }),
            }),
          ],
        }).toSchema(),
      ),
    );
  }
  if (input.policies?.length) extensions.push(extension(OID.certificatePolicies, false, certificatePolicies(input.policies)));
  if (input.email) {
    const san = new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 1, value: input.email })] });
    extensions.push(extension(OID.subjectAltName, false, san.toSchema()));
  }
  cert.extensions = extensions;

  const alg = signatureAlgorithmIdentifier(input.issuerSigner.algorithm);
  cert.signature = alg;
  cert.signatureAlgorithm = signatureAlgorithmIdentifier(input.issuerSigner.algorithm);
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  const signature = await input.issuerSigner.sign(tbs);
  cert.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });
  return new Uint8Array(cert.toSchema(true).toBER(false));
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
