import { generateKeyPairSync } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../shared/pki/certificate.js';
import { subjectCn } from '../../../shared/pki/certificate-path.js';
import { certificateSummary } from '../../../shared/pki/certificate-summary.js';
import { sha256Hex, toArrayBuffer, toHex } from '../../../shared/util/bytes.js';

type Value = asn1js.BaseBlock;
/** A Name from RDNs, each a list of [type, value] (several in one RDN: multi-valued). */
const name = (rdns: [string, Value][][]) =>
  pkijs.RelativeDistinguishedNames.fromBER(
    new asn1js.Sequence({
      value: rdns.map(
        (rdn) =>
          new asn1js.Set({
            value: rdn.map(([type, value]) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: type }), value] })),
          }),
      ),
    }).toBER(false),
  );

const spki = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }));

/** A certificate with these names and serial (not signed by anyone: the summary does not check signatures). */
const certificate = (subject: [string, Value][][], issuer: [string, Value][][], serial: number[]) => {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer });
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.2' });
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.2' });
  cert.subject = name(subject);
  cert.issuer = name(issuer);
  cert.notBefore = new pkijs.Time({ type: 0, value: new Date('2026-01-01T00:00:00Z') });
  cert.notAfter = new pkijs.Time({ type: 0, value: new Date('2027-01-01T00:00:00Z') });
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(spki));
  cert.signatureValue = new asn1js.BitString({ valueHex: new Uint8Array([0x30, 0x00]).buffer });
  return new Uint8Array(cert.toSchema(true).toBER(false));
};

/** The summary as it was computed through pkijs's object model: the reference. */
const throughPkijs = (der: Uint8Array) => {
  const cert = parseCertificate(der);
  return {
    subject: subjectCn(cert),
    issuer: String(cert.issuer.typesAndValues.find((t) => t.type === '2.5.4.3')?.value.valueBlock.value ?? '?'),
    serialNumber: toHex(cert.serialNumber.valueBlock.valueHexView),
    sha256: sha256Hex(der),
  };
};

const CN = '2.5.4.3';
const O = '2.5.4.10';
const C = '2.5.4.6';

describe('certificate summary, read from the DER', () => {
  it.each([
    [
      'UTF8String with Vietnamese',
      [[[C, new asn1js.PrintableString({ value: 'VN' })]], [[CN, new asn1js.Utf8String({ value: 'Nguyễn Văn An' })]]],
    ],
    ['PrintableString', [[[CN, new asn1js.PrintableString({ value: 'VNPT-CA SHA-256' })]]]],
    ['IA5String', [[[CN, new asn1js.IA5String({ value: 'ca.example.vn' })]]]],
    ['BMPString', [[[O, new asn1js.Utf8String({ value: 'Công ty' })]], [[CN, new asn1js.BmpString({ value: 'Trần Thị Bình' })]]]],
    ['TeletexString (pkijs reads it)', [[[CN, new asn1js.TeletexString({ value: 'Teletex Name' })]]]],
    ['no commonName', [[[O, new asn1js.Utf8String({ value: 'Only an organisation' })]]]],
    [
      'two commonNames (the first counts)',
      [[[CN, new asn1js.Utf8String({ value: 'First' })]], [[CN, new asn1js.Utf8String({ value: 'Second' })]]],
    ],
    [
      'a multi-valued RDN',
      [
        [
          [O, new asn1js.Utf8String({ value: 'Org' })],
          [CN, new asn1js.Utf8String({ value: 'Inside a set' })],
        ],
      ],
    ],
  ] as [string, [string, Value][][]][])('gives what pkijs read, for a commonName as %s', (_label, subject) => {
    for (const serial of [[0x01], [0x00, 0x80, 0x11], [0x7f, 0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05]]) {
      const der = certificate(subject, [[[CN, new asn1js.Utf8String({ value: 'Kyso Issuing CA' })]]], serial);
      const { publicKeySha256, ...summary } = certificateSummary(der);
      expect(summary).toEqual(throughPkijs(der));
      expect(publicKeySha256).toBe(sha256Hex(spki));
    }
  });

  it('reads the issuer’s name as the subject’s', () => {
    const der = certificate(
      [[[CN, new asn1js.Utf8String({ value: 'Signer' })]]],
      [[[CN, new asn1js.PrintableString({ value: 'Some CA' })]]],
      [5],
    );
    expect(certificateSummary(der)).toMatchObject({ subject: 'Signer', issuer: 'Some CA', serialNumber: '05' });
  });
});
