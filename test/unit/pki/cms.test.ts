import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../shared/pki/certificate.js';
import { buildSignedAttributes, cadesSizeBound, signCadesDetached } from '../../../shared/pki/cms.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { OID } from '../../../shared/pki/oids.js';
import { createTimestampToken } from '../../../shared/pki/timestamp.js';
import { toArrayBuffer } from '../../../shared/util/bytes.js';
import { createTestPki } from '../../support/test-pki.js';
import { opensslCmsVerify } from '../../support/validators.js';

/** The signed attributes as pkijs built them before the DER writer: sessions pinned then must still match. */
const pkijsSignedAttributes = (digest: Uint8Array, certDer: Uint8Array): Uint8Array => {
  const cert = parseCertificate(certDer);
  const essV2 = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.OctetString({ valueHex: toArrayBuffer(createHash('sha256').update(certDer).digest()) }),
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
  const attrs = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [essV2] }),
  ]
    .map((a) => Buffer.from(a.toSchema().toBER(false)))
    .sort(Buffer.compare);
  const set = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: attrs.map((der) => new pkijs.Attribute({ schema: asn1js.fromBER(toArrayBuffer(der)).result })),
  });
  return new Uint8Array(set.toSchema().toBER(false));
};

describe.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])('CMS written as DER (%s)', (spec) => {
  it('has the signed attributes pkijs wrote, byte for byte', async () => {
    const pki = await createTestPki(spec);
    for (const name of ['Nguyễn Văn An', 'A']) {
      const cert = await pki.issueSigner(name);
      const digest = randomBytes(32);
      const ours = buildSignedAttributes({ contentDigest: digest, signerCertificate: cert, chain: [] }).der;
      expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(pkijsSignedAttributes(digest, cert)).toString('hex'));
    }
  });

  it('verifies in openssl cms (B-T), round-trips through pkijs, and fits the size bound', async () => {
    const pki = await createTestPki(spec);
    const cert = await pki.issueSigner('Trần Thị Bích Ngọc');
    const content = randomBytes(1000);
    const timestamper = (d: Uint8Array) => createTimestampToken({ digest: d, tsa: pki.tsa, clock: { now: () => new Date() } });
    const input = { contentDigest: createHash('sha256').update(content).digest(), signerCertificate: cert, chain: [pki.ca, pki.root] };
    const cms = await signCadesDetached(input, pki.signerKey, timestamper);
    const token = await timestamper(new Uint8Array(32));
    expect(cms.length).toBeLessThanOrEqual(cadesSizeBound(input, token.length));
    const reencoded = new Uint8Array(pkijs.ContentInfo.fromBER(toArrayBuffer(cms)).toSchema().toBER(false));
    expect(Buffer.from(reencoded).equals(Buffer.from(cms))).toBe(true);
    expect(opensslCmsVerify(cms, content, pki.rootPem)).toBe('');
  });
});
