import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type IssueCertificateInput, issueCertificate, keyIdentifier, parseCertificate, toPem } from '../../../shared/pki/certificate.js';
import { assertDer, oidOf } from '../../../shared/pki/der.js';
import type { KeySigner, KeySpec, SignatureAlgorithm } from '../../../shared/pki/key-signer.js';
import { OID } from '../../../shared/pki/oids.js';
import { KYSO_ONE_TIME_POLICY, ONE_TIME_POLICY_NOTICE } from '../../../shared/pki/platform-pki.js';
import { fromHex, sha256Hex, toArrayBuffer, toHex } from '../../../shared/util/bytes.js';
import { softwareSigner } from '../../support/software-signer.js';
import { inTempDir, openssl } from './openssl.js';

const HOUR = 3600_000;
const YEAR = 365 * 24 * HOUR;

/** Contents of the DER element at `at` (short or long length), cut by hand, independently of the encoder. */
const contentOf = (der: Uint8Array, at: number) => {
  const first = der[at + 1] ?? 0;
  const count = first & 0x80 ? first & 0x7f : 0;
  let length = count ? 0 : first;
  for (let i = 0; i < count; i++) length = length * 256 + (der[at + 2 + i] ?? 0);
  return { start: at + 2 + count, end: at + 2 + count + length };
};
/** TBSCertificate with its tag and length: the bytes the issuer signed. */
const tbsOf = (der: Uint8Array) => {
  const at = contentOf(der, 0).start;
  return der.subarray(at, contentOf(der, at).end);
};

const extensionOf = (cert: pkijs.Certificate, oid: string) => {
  const ext = cert.extensions?.find((e) => e.extnID === oid);
  if (!ext) throw new Error(`no extension ${oid}`);
  return ext;
};
const attributes = (name: pkijs.RelativeDistinguishedNames) =>
  name.typesAndValues.map((atv) => [atv.type, atv.value.idBlock.tagNumber, atv.value.valueBlock.value as string]);
const sha1Of = (spki: Uint8Array) =>
  toHex(
    new Uint8Array(
      createHash('sha1')
        .update(pkijs.PublicKeyInfo.fromBER(toArrayBuffer(spki)).subjectPublicKey.valueBlock.valueHexView)
        .digest(),
    ),
  );

describe.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])('certificates written as DER, issued by a %s CA', (spec) => {
  const root = softwareSigner(spec);
  const issuing = softwareSigner(spec);
  // Whole seconds: a GeneralizedTime with a fraction (which pkijs wrote too) is refused by openssl.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  let rootCertificate: Uint8Array;
  let issuingCertificate: Uint8Array;
  const caCertificate = (commonName: string, key: typeof root, years: number, extra: Partial<IssueCertificateInput>) =>
    issueCertificate({
      subject: { commonName, organization: 'Kyso', country: 'VN' },
      subjectPublicKey: key.publicKeyDer,
      profile: 'root-ca',
      serialNumber: fromHex('ff'.repeat(16)),
      notBefore: new Date(now.getTime() - HOUR),
      notAfter: new Date(now.getTime() + years * YEAR),
      issuerSigner: root,
      ...extra,
    });
  beforeAll(async () => {
    rootCertificate = await caCertificate('Kyso Root CA', root, 30, {});
    issuingCertificate = await caCertificate('Kyso Issuing CA 1', issuing, 10, {
      profile: 'issuing-ca',
      serialNumber: fromHex('00'.repeat(16)),
      issuerCertificate: rootCertificate,
      crlUrl: 'https://kyso.test/pki/crl/root-ca.crl',
      issuerCertUrl: 'https://kyso.test/pki/root.cer',
    });
  });

  const oneTime = (subjectPublicKey: Uint8Array): IssueCertificateInput => ({
    subject: {
      commonName: 'Nguyễn Văn An',
      organization: 'Công ty TNHH Kyso',
      organizationalUnit: 'Chứng thư số dùng một lần / One-time certificate',
      locality: 'Hà Nội',
      country: 'VN',
      serialNumber: 'MST0101234567',
      userId: 'CCCD:001234567890',
    },
    subjectPublicKey,
    profile: 'document-signing',
    serialNumber: fromHex('c0ffee00112233445566778899aabbcc'),
    notBefore: new Date('2026-03-01T08:30:00.250Z'),
    notAfter: new Date('2051-03-01T08:30:00Z'),
    issuerSigner: issuing,
    issuerCertificate: issuingCertificate,
    crlUrl: 'https://kyso.test/pki/crl/issuing-ca.crl',
    issuerCertUrl: 'https://kyso.test/pki/issuing-ca.cer',
    policies: [{ oid: KYSO_ONE_TIME_POLICY, notice: ONE_TIME_POLICY_NOTICE }, { oid: '1.2.3.4' }],
    email: 'an.nguyen@kyso.test',
  });

  it.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])('gives back every field through pkijs, for a %s subject key', async (subjectSpec) => {
    const subjectKey = softwareSigner(subjectSpec).publicKeyDer;
    const der = await issueCertificate(oneTime(subjectKey));

    assertDer(der);
    const cert = parseCertificate(der);
    // pkijs writes what it read back to the same bytes: no field was misread.
    expect(toHex(new Uint8Array(cert.toSchema(true).toBER(false)))).toBe(toHex(der));
    expect(cert.version).toBe(2);
    expect(toHex(cert.serialNumber.valueBlock.valueHexView)).toBe('40ffee00112233445566778899aabbcc');
    expect(cert.signatureAlgorithm.algorithmId).toBe(spec === 'ECC_NIST_P256' ? OID.ecdsaWithSha256 : OID.sha256WithRsa);
    expect(cert.signature.algorithmId).toBe(cert.signatureAlgorithm.algorithmId);
    expect(attributes(cert.issuer)).toEqual([
      [OID.countryName, 19, 'VN'],
      [OID.organizationName, 12, 'Kyso'],
      [OID.commonName, 12, 'Kyso Issuing CA 1'],
    ]);
    expect(attributes(cert.subject)).toEqual([
      [OID.countryName, 19, 'VN'],
      [OID.localityName, 12, 'Hà Nội'],
      [OID.organizationName, 12, 'Công ty TNHH Kyso'],
      [OID.organizationalUnitName, 12, 'Chứng thư số dùng một lần / One-time certificate'],
      [OID.serialNumber, 19, 'MST0101234567'],
      [OID.commonName, 12, 'Nguyễn Văn An'],
      [OID.userId, 12, 'CCCD:001234567890'],
    ]);
    // One attribute per RDN: each is its own SET.
    expect(cert.subject.toSchema().valueBlock.value).toHaveLength(7);
    expect(cert.notBefore.type).toBe(0); // UTCTime through 2049
    expect(cert.notBefore.value.toISOString()).toBe('2026-03-01T08:30:00.000Z');
    expect(cert.notAfter.type).toBe(1); // GeneralizedTime from 2050
    expect(cert.notAfter.value.toISOString()).toBe('2051-03-01T08:30:00.000Z');
    expect(toHex(new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false)))).toBe(toHex(subjectKey));

    expect(cert.extensions?.map((e) => [e.extnID, e.critical])).toEqual([
      [OID.basicConstraints, true],
      [OID.keyUsage, true],
      [OID.subjectKeyIdentifier, false],
      [OID.authorityKeyIdentifier, false],
      [OID.crlDistributionPoints, false],
      [OID.authorityInfoAccess, false],
      [OID.certificatePolicies, false],
      [OID.subjectAltName, false],
    ]);
    const bc = extensionOf(cert, OID.basicConstraints).parsedValue as pkijs.BasicConstraints;
    expect(bc.cA).toBe(false);
    expect('pathLenConstraint' in bc).toBe(false);
    const ku = extensionOf(cert, OID.keyUsage).parsedValue as { valueBlock: { unusedBits: number; valueHexView: Uint8Array } };
    expect([ku.valueBlock.unusedBits, ku.valueBlock.valueHexView[0]]).toEqual([6, 0b1100_0000]);
    const ski = extensionOf(cert, OID.subjectKeyIdentifier).parsedValue as { valueBlock: { valueHexView: Uint8Array } };
    expect(toHex(ski.valueBlock.valueHexView)).toBe(sha1Of(subjectKey));
    const aki = extensionOf(cert, OID.authorityKeyIdentifier).parsedValue as pkijs.AuthorityKeyIdentifier;
    expect(toHex(aki.keyIdentifier?.valueBlock.valueHexView ?? new Uint8Array())).toBe(sha1Of(issuing.publicKeyDer));
    const crl = extensionOf(cert, OID.crlDistributionPoints).parsedValue as pkijs.CRLDistributionPoints;
    expect(crl.distributionPoints.map((p) => (p.distributionPoint as pkijs.GeneralName[]).map((n) => [n.type, n.value]))).toEqual([
      [[6, 'https://kyso.test/pki/crl/issuing-ca.crl']],
    ]);
    const aia = extensionOf(cert, OID.authorityInfoAccess).parsedValue as pkijs.InfoAccess;
    expect(aia.accessDescriptions.map((d) => [d.accessMethod, d.accessLocation.type, d.accessLocation.value])).toEqual([
      [OID.caIssuers, 6, 'https://kyso.test/pki/issuing-ca.cer'],
    ]);
    // pkijs misreads UUID arcs (2.25.<128 bits>): the identifiers are read with oidOf.
    const policyOids = (
      asn1js.fromBER(extensionOf(cert, OID.certificatePolicies).extnValue.valueBlock.valueHexView).result as asn1js.Sequence
    ).valueBlock.value.map((p) => oidOf((p as asn1js.Sequence).valueBlock.value[0] as asn1js.ObjectIdentifier));
    const policies = extensionOf(cert, OID.certificatePolicies).parsedValue as pkijs.CertificatePolicies;
    expect(
      policies.certificatePolicies.map((p, i) => [
        policyOids[i],
        p.policyQualifiers?.map((q) => [q.policyQualifierId, q.qualifier.valueBlock.value[0].valueBlock.value]),
      ]),
    ).toEqual([
      [KYSO_ONE_TIME_POLICY, [[OID.userNotice, ONE_TIME_POLICY_NOTICE]]],
      ['1.2.3.4', undefined],
    ]);
    const san = extensionOf(cert, OID.subjectAltName).parsedValue as pkijs.AltName;
    expect(san.altNames.map((n) => [n.type, n.value])).toEqual([[1, 'an.nguyen@kyso.test']]);
  });

  it('signs the TBSCertificate with the issuer key (node:crypto verifies the signature over the bytes cut out)', async () => {
    const der = await issueCertificate(oneTime(softwareSigner('ECC_NIST_P256').publicKeyDer));
    const signature = parseCertificate(der).signatureValue.valueBlock.valueHexView;

    expect(verify('sha256', tbsOf(der), { key: Buffer.from(issuing.publicKeyDer), format: 'der', type: 'spki' }, signature)).toBe(true);
    expect(verify('sha256', tbsOf(der), { key: Buffer.from(root.publicKeyDer), format: 'der', type: 'spki' }, signature)).toBe(false);
  });

  it('writes the CA profiles and the TSA profile as pkijs reads them', async () => {
    const tsa = parseCertificate(
      await issueCertificate({
        subject: { commonName: 'Kyso TSA' },
        subjectPublicKey: softwareSigner('ECC_NIST_P256').publicKeyDer,
        profile: 'time-stamping',
        serialNumber: fromHex('0001'),
        notBefore: new Date('2049-12-31T23:59:59.999Z'),
        notAfter: new Date('2050-01-01T00:00:00Z'),
        issuerSigner: issuing,
        issuerCertificate: issuingCertificate,
      }),
    );
    const rootCert = parseCertificate(rootCertificate);
    const issuingCert = parseCertificate(issuingCertificate);

    expect(toHex(tsa.serialNumber.valueBlock.valueHexView)).toBe('0101'); // a first byte of 0 becomes 1
    expect([tsa.notBefore.type, tsa.notAfter.type]).toEqual([0, 1]);
    expect(tsa.extensions?.map((e) => e.extnID)).toEqual([
      OID.basicConstraints,
      OID.keyUsage,
      OID.subjectKeyIdentifier,
      OID.authorityKeyIdentifier,
      OID.extKeyUsage,
    ]);
    const eku = extensionOf(tsa, OID.extKeyUsage);
    expect([eku.critical, (eku.parsedValue as pkijs.ExtKeyUsage).keyPurposes]).toEqual([true, [OID.timeStamping]]);
    const ku = extensionOf(tsa, OID.keyUsage).parsedValue as { valueBlock: { unusedBits: number; valueHexView: Uint8Array } };
    expect([ku.valueBlock.unusedBits, ku.valueBlock.valueHexView[0]]).toEqual([7, 0b1000_0000]);
    expect(toHex(rootCert.serialNumber.valueBlock.valueHexView)).toBe(`7f${'ff'.repeat(15)}`);
    expect(toHex(new Uint8Array(rootCert.issuer.toSchema().toBER(false)))).toBe(
      toHex(new Uint8Array(rootCert.subject.toSchema().toBER(false))),
    );
    const rootBc = extensionOf(rootCert, OID.basicConstraints).parsedValue as pkijs.BasicConstraints;
    const issuingBc = extensionOf(issuingCert, OID.basicConstraints).parsedValue as pkijs.BasicConstraints;
    expect([rootBc.cA, 'pathLenConstraint' in rootBc]).toEqual([true, false]);
    expect([issuingBc.cA, issuingBc.pathLenConstraint]).toEqual([true, 0]);
    const caKu = extensionOf(issuingCert, OID.keyUsage).parsedValue as { valueBlock: { unusedBits: number; valueHexView: Uint8Array } };
    expect([caKu.valueBlock.unusedBits, caKu.valueBlock.valueHexView[0]]).toEqual([1, 0b1000_0110]);
  });

  it('is accepted by openssl x509, and root → issuing → document-signing verifies with openssl verify', async () => {
    const leaf = await issueCertificate({
      ...oneTime(softwareSigner('ECC_NIST_P256').publicKeyDer),
      notBefore: new Date(now.getTime() - HOUR),
    });

    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'leaf.der'), leaf);
      writeFileSync(join(dir, 'leaf.pem'), toPem(leaf));
      writeFileSync(join(dir, 'root.pem'), toPem(rootCertificate));
      writeFileSync(join(dir, 'ca.pem'), toPem(issuingCertificate));
      const text = openssl(['x509', '-inform', 'DER', '-in', 'leaf.der', '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space'], dir);
      expect(text.ok).toBe(true);
      expect(text.output).toContain('Serial Number:');
      expect(text.output).toContain('Issuer: C=VN, O=Kyso, CN=Kyso Issuing CA 1');
      expect(text.output).toContain('CN=Nguyễn Văn An');
      expect(text.output).toContain('Not After : Mar  1 08:30:00 2051 GMT');
      expect(text.output).toContain('Digital Signature, Non Repudiation');
      expect(text.output).toContain('URI:https://kyso.test/pki/crl/issuing-ca.crl');
      expect(text.output).toContain('CA Issuers - URI:https://kyso.test/pki/issuing-ca.cer');
      expect(text.output).toContain(`Policy: ${KYSO_ONE_TIME_POLICY}`);
      expect(text.output).toContain('email:an.nguyen@kyso.test');
      const chain = openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', 'leaf.pem'], dir);
      expect(chain.output.trim()).toBe('leaf.pem: OK');
      expect(openssl(['verify', '-CAfile', 'root.pem', 'ca.pem'], dir).output.trim()).toBe('ca.pem: OK');
    });
  });
});

describe('issued certificates, byte for byte', () => {
  // Fixed keys and a signer whose signature is a fixed byte string: the DER is reproducible.
  // The digests were taken from the pkijs encoder this one replaced, which wrote the same bytes.
  const EC_SUBJECT = fromHex(
    '3059301306072a8648ce3d020106082a8648ce3d0301070342000400832cbea2e7bb9c8c39be7958a4fd653e73303db7208c19a7cfc53ffb46452d0fd2229a0d97c7c3b80dff9568182a58716555a2465b3725dcc7dcce833f390b',
  );
  const EC_ISSUER = fromHex(
    '3059301306072a8648ce3d020106082a8648ce3d03010703420004a1442df0ac89290fe7b3f3696742353eaf89a951907125a0e893925c7048e6c1dc2f256cd4a2f6e117c739f16ec2430e25c4b2a8682ec0f03b857c063965e623',
  );
  const RSA = fromHex(
    '30820122300d06092a864886f70d01010105000382010f003082010a0282010100a0627f8beabe76ea157457280cb2d69d51e3c02796794ca4f0ae797632715fd8eb40102b5f88a27755edda011acff5eac207abea5eaa10309e8196dbb36d8092c900294164fd8130434d362265ad83a1c41c1fcf460f53ae156c89e9b35d0d74608f1c2d2701a434dd59bff908574e009d10ad9307caef686718c9a10f531b176f97f53b159b5ab94fa067ce97a5e2f287c18269d98596ed0f1cf5221ec079282ed9c314172ef7cca0fcefd3a79ef9c57cbee77feb030a03d972d9887fb9471facac1711b876813bf1ec81d062bd8bffe447eaaf9d73cbb4c332ddeebe45ebf03ce0e3e1256439a77b5d89cf74e5df5d529d1e17e64260e316f9c6b9b1fb73490203010001',
  );
  const fixedSigner = (algorithm: SignatureAlgorithm, spki: Uint8Array): KeySigner => ({
    algorithm,
    publicKey: async () => spki,
    sign: async () => new Uint8Array(algorithm === 'ECDSA_SHA_256' ? 70 : 256).fill(0xa5),
  });

  it('writes a self-signed RSA root (UTCTime to GeneralizedTime), an issuing CA, a one-time certificate and a TSA certificate', async () => {
    const rootSigner = fixedSigner('RSASSA_PKCS1_V1_5_SHA_256', RSA);
    const rootInput: IssueCertificateInput = {
      subject: { commonName: 'Kyso Root CA', organization: 'Kyso', country: 'VN' },
      subjectPublicKey: RSA,
      profile: 'root-ca',
      serialNumber: fromHex('ff00112233445566778899aabbccddee'),
      notBefore: new Date('2049-12-31T23:59:59Z'),
      notAfter: new Date('2069-12-31T23:59:59.120Z'),
      issuerSigner: rootSigner,
    };
    const root = await issueCertificate(rootInput);
    const issuing = await issueCertificate({
      ...rootInput,
      subject: { ...rootInput.subject, commonName: 'Kyso Issuing CA 1' },
      subjectPublicKey: EC_ISSUER,
      profile: 'issuing-ca',
      serialNumber: fromHex('00'),
      notBefore: new Date('2026-03-01T00:00:00Z'),
      notAfter: new Date('2036-03-01T00:00:00Z'),
      issuerCertificate: root,
      crlUrl: 'https://kyso.test/pki/crl/root-ca.crl',
      issuerCertUrl: 'https://kyso.test/pki/root.cer',
    });
    const leaf = await issueCertificate({
      subject: {
        commonName: 'Nguyễn Văn An',
        organization: 'Công ty Kyso',
        organizationalUnit: 'Chứng thư số dùng một lần',
        locality: 'Hà Nội',
        country: 'VN',
        serialNumber: 'MST0101234567',
        userId: 'CCCD:001234567890',
      },
      subjectPublicKey: EC_SUBJECT,
      profile: 'document-signing',
      serialNumber: fromHex('80'),
      notBefore: new Date('2026-03-01T08:30:00.500Z'),
      notAfter: new Date('2028-03-01T08:30:00Z'),
      issuerSigner: fixedSigner('ECDSA_SHA_256', EC_ISSUER),
      issuerCertificate: issuing,
      crlUrl: 'https://kyso.test/pki/crl/issuing-ca.crl',
      issuerCertUrl: 'https://kyso.test/pki/issuing-ca.cer',
      policies: [{ oid: KYSO_ONE_TIME_POLICY, notice: 'Chứng thư số dùng một lần / One-time certificate' }, { oid: '1.2.3.4' }],
      email: 'an@kyso.test',
    });
    const tsa = await issueCertificate({
      subject: { commonName: 'Kyso TSA' },
      subjectPublicKey: EC_SUBJECT,
      profile: 'time-stamping',
      serialNumber: fromHex('0102'),
      notBefore: new Date('2050-01-01T00:00:00Z'),
      notAfter: new Date('2056-01-01T00:00:00Z'),
      issuerSigner: fixedSigner('ECDSA_SHA_256', EC_ISSUER),
      issuerCertificate: issuing,
    });

    expect({ root: sha256Hex(root), issuing: sha256Hex(issuing), leaf: sha256Hex(leaf), tsa: sha256Hex(tsa) }).toEqual({
      root: '3ef5e23996ef3302b8fa35b43f3dc0c71aa6c8beaa903da4d38de9de1cdfbd0f',
      issuing: '0e34408bbd9334ec62f9b1a051ebfff3aee877dc267c5b4ae6d57b050a07b817',
      leaf: '106ea6aa2dc716c63edc3dbffce15f973ee246d3ba360cce9fb1379ff205bc09',
      tsa: 'e605901f98c53b7c3bcaa5cfaf5bfd67d7d889ad5842e26e0f88a52e7650bfc5',
    });
  });

  it('takes key identifiers from the subjectPublicKey bits of EC, RSA and Ed25519 keys', () => {
    const ed25519 = new Uint8Array(generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }));

    for (const spki of [EC_SUBJECT, RSA, ed25519]) expect(toHex(keyIdentifier(spki))).toBe(sha1Of(spki));
    expect(() => keyIdentifier(fromHex('3006020101020102'))).toThrow('not a SubjectPublicKeyInfo');
  });

  it('refuses a lone surrogate in a UTF8String, as asn1js did', async () => {
    const input = {
      subject: { commonName: 'broken \ud800' },
      subjectPublicKey: EC_SUBJECT,
      profile: 'document-signing' as const,
      serialNumber: fromHex('01'),
      notBefore: new Date('2026-03-01T00:00:00Z'),
      notAfter: new Date('2027-03-01T00:00:00Z'),
      issuerSigner: fixedSigner('ECDSA_SHA_256', EC_ISSUER),
    };

    await expect(issueCertificate(input)).rejects.toThrow(URIError);
  });
});
