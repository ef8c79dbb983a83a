import { verify, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { assertDer } from '../../../shared/pki/der.js';
import {
  answerTimestampQuery,
  createTimestampToken,
  encodeTimestampRequest,
  encodeTstInfo,
  KYSO_TSA_POLICY,
  parseTimestampRequest,
  parseTimestampResponse,
  parseTimestampToken,
  TimestampRejection,
} from '../../../shared/pki/timestamp.js';
import { fromHex, sha256, toArrayBuffer, toHex } from '../../../shared/util/bytes.js';
import { inTempDir, openssl } from './openssl.js';
import { createTestHierarchy, fixedClock, type TestHierarchy } from './pki-fixture.js';

const digest = sha256('contract');
const clock = fixedClock('2026-03-01T08:30:00Z');

/** Hand-assembled DER, so the encoder is checked against bytes written independently of it. */
const tlv = (tag: number, content: string) => {
  const len = content.length / 2;
  return `${tag.toString(16).padStart(2, '0')}${len < 0x80 ? len.toString(16).padStart(2, '0') : `81${len.toString(16)}`}${content}`;
};
const SHA256_ALG = tlv(0x30, `0609608648016503040201${'0500'}`);
const query = (fields: string) => fromHex(tlv(0x30, fields));
const imprint = (alg: string, hash: Uint8Array) => tlv(0x30, alg + tlv(0x04, toHex(hash)));

const expectAppError = (fn: () => unknown, code: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return e as AppError;
  }
  throw new Error(`expected AppError(${code})`);
};

describe('TimeStampReq parsing', () => {
  it('reads every field of a request and round-trips through the encoder', () => {
    const der = encodeTimestampRequest({
      hashAlgorithm: 'SHA-384',
      hashedMessage: new Uint8Array(48).fill(7),
      nonce: fromHex('00ff01'),
      certReq: true,
    });
    expect(toHex(der)).toBe(
      tlv(0x30, `020101${tlv(0x30, tlv(0x30, `0609608648016503040202${'0500'}`) + tlv(0x04, '07'.repeat(48)))}${'020300ff01'}${'0101ff'}`),
    );
    const r = parseTimestampRequest(der);
    expect(r).toEqual({
      hashAlgorithm: 'SHA-384',
      hashedMessage: new Uint8Array(48).fill(7),
      nonce: fromHex('00ff01'),
      certReq: true,
      hasExtensions: false,
    });
  });

  it('reads a request written by openssl ts -query', async () => {
    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'data.txt'), 'hello');
      expect(openssl(['ts', '-query', '-data', 'data.txt', '-sha512', '-cert', '-out', 'q.tsq'], dir).ok).toBe(true);
      const r = parseTimestampRequest(new Uint8Array(readFileSync(join(dir, 'q.tsq'))));
      expect(r.hashAlgorithm).toBe('SHA-512');
      expect(toHex(r.hashedMessage)).toBe(toHex(new Uint8Array(await crypto.subtle.digest('SHA-512', new TextEncoder().encode('hello')))));
      expect(r.certReq).toBe(true);
      expect(r.nonce?.length).toBeGreaterThan(0);
    });
  });

  it.each([
    ['empty input', ''],
    ['not ASN.1 at all', toHex(new TextEncoder().encode('GET / HTTP/1.1'))],
    ['indefinite length (BER)', `3080020101${imprint(SHA256_ALG, digest)}0000`],
    [
      'long-form length for a short value',
      `3081${(3 + imprint(SHA256_ALG, digest).length / 2).toString(16)}020101${imprint(SHA256_ALG, digest)}`,
    ],
    ['trailing bytes', `${tlv(0x30, `020101${imprint(SHA256_ALG, digest)}`)}00`],
    ['non-minimal INTEGER', tlv(0x30, `02020001${imprint(SHA256_ALG, digest)}`)],
    ['certReq FALSE written out (a DEFAULT)', tlv(0x30, `020101${imprint(SHA256_ALG, digest)}010100`)],
    ['BOOLEAN that is neither 00 nor FF', tlv(0x30, `020101${imprint(SHA256_ALG, digest)}010101`)],
    ['a SEQUENCE that is not a TimeStampReq', tlv(0x30, '0101ff')],
    ['fields in the wrong order', tlv(0x30, `020101${imprint(SHA256_ALG, digest)}0101ff020105`)],
  ])('rejects %s as invalid_timestamp_request', (_name, hex) => {
    const e = expectAppError(() => parseTimestampRequest(fromHex(hex)), 'invalid_timestamp_request');
    expect(e).not.toBeInstanceOf(TimestampRejection);
    expect(e.status).toBe(400);
  });

  it.each([
    ['SHA-1', '06052b0e03021a'],
    ['MD5', '06082a864886f70d0205'],
    ['SHA3-256', '0609608648016503040208'],
    ['a UUID-arc OID', '06136985ae99f2f1f392bad9a5efd896a3a2b19676'],
  ])('refuses %s as unsupported_hash_algorithm (badAlg)', (_name, oid) => {
    const e = expectAppError(
      () => parseTimestampRequest(query(`020101${imprint(tlv(0x30, `${oid}0500`), digest)}`)),
      'unsupported_hash_algorithm',
    );
    expect((e as TimestampRejection).failure).toBe('badAlg');
  });

  it('refuses a hash of the wrong length as badDataFormat', () => {
    const e = expectAppError(
      () => parseTimestampRequest(query(`020101${imprint(SHA256_ALG, new Uint8Array(20))}`)),
      'invalid_timestamp_request',
    );
    expect((e as TimestampRejection).failure).toBe('badDataFormat');
  });

  it('refuses version 2 as badRequest', () => {
    const e = expectAppError(() => parseTimestampRequest(query(`020102${imprint(SHA256_ALG, digest)}`)), 'invalid_timestamp_request');
    expect((e as TimestampRejection).failure).toBe('badRequest');
  });
});

describe('TSTInfo', () => {
  it('encodes the known bytes for a fixed clock, serial and nonce', () => {
    const der = encodeTstInfo({
      hashAlgorithm: 'SHA-256',
      hashedMessage: digest,
      serialNumber: fromHex('2a'),
      genTime: new Date('2026-03-01T08:30:00.120Z'),
      nonce: fromHex('0102'),
    });
    const policy = '06136985ae99f2f1f392bad9a5efd896a3a2b19676';
    const genTime = tlv(0x18, toHex(new TextEncoder().encode('20260301083000.12Z'))); // DER: fraction without trailing zeros
    expect(toHex(der)).toBe(tlv(0x30, `020101${policy}${imprint(SHA256_ALG, digest)}02012a${genTime}${'3003020101'}${'02020102'}`));
  });
});

describe.each(['ECC_NIST_P256', 'RSA_2048'] as const)('timestamp tokens and replies (%s)', (spec) => {
  let h: TestHierarchy;
  beforeAll(async () => {
    h = await createTestHierarchy(spec);
  });

  it('createTimestampToken yields strict DER whose TSTInfo says what was asked', async () => {
    const token = await createTimestampToken({ digest, tsa: h.tsa, clock, nonce: fromHex('05'), serialNumber: fromHex('00c0ffee') });
    assertDer(token);
    const info = parseTimestampToken(token);
    expect(info).toMatchObject({ policy: KYSO_TSA_POLICY, hashAlgorithm: 'SHA-256', serialNumber: '00c0ffee', nonce: fromHex('05') });
    expect(info.hashedMessage).toEqual(digest);
    expect(info.genTime.toISOString()).toBe('2026-03-01T08:30:00.000Z');
    expect(info.certificates).toEqual([h.tsa.certificate, ...h.tsa.chain]);
  });

  it('writes the token pkijs reads back to the same bytes: TSA name, signer, signed attributes, no certificates unless asked', async () => {
    const token = await createTimestampToken({ digest, tsa: h.tsa, clock, includeCertificates: false });
    const info = pkijs.ContentInfo.fromBER(toArrayBuffer(token));
    const signed = new pkijs.SignedData({ schema: info.content });
    // Re-encoded from pkijs's own objects (not the bytes it read): DER is one encoding, so any difference is ours.
    const again = new pkijs.ContentInfo({
      contentType: info.contentType,
      content: new pkijs.SignedData({
        version: signed.version,
        digestAlgorithms: signed.digestAlgorithms,
        encapContentInfo: signed.encapContentInfo,
        signerInfos: signed.signerInfos,
      }).toSchema(true),
    });
    expect(toHex(new Uint8Array(again.toSchema().toBER(false)))).toBe(toHex(token));
    expect(signed.version).toBe(3);
    expect(signed.certificates).toBeUndefined();
    const signer = signed.signerInfos[0] as pkijs.SignerInfo;
    const tsaCert = pkijs.Certificate.fromBER(toArrayBuffer(h.tsa.certificate));
    const sid = signer.sid as pkijs.IssuerAndSerialNumber;
    expect(sid.issuer.isEqual(tsaCert.issuer)).toBe(true);
    expect(sid.serialNumber.isEqual(tsaCert.serialNumber)).toBe(true);
    const tstInfo = pkijs.TSTInfo.fromBER(toArrayBuffer(signed.encapContentInfo.eContent?.valueBlock.valueHexView as Uint8Array));
    expect(((tstInfo.tsa as pkijs.GeneralName).value as pkijs.RelativeDistinguishedNames).isEqual(tsaCert.subject)).toBe(true);
    const types = signer.signedAttrs?.attributes.map((a) => a.type);
    expect(types?.sort()).toEqual(['1.2.840.113549.1.9.16.2.47', '1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4']);
    const attrs = new Uint8Array(signer.signedAttrs?.toSchema().toBER(false) ?? new ArrayBuffer(1));
    attrs[0] = 0x31; // signed over as SET OF
    const key = new X509Certificate(h.tsa.certificate).publicKey;
    expect(verify('sha256', attrs, key, signer.signature.valueBlock.valueHexView)).toBe(true);
  });

  it('gives every token its own 128-bit serial number', async () => {
    const serials = await Promise.all(
      [1, 2, 3].map(async () => parseTimestampToken(await createTimestampToken({ digest, tsa: h.tsa, clock })).serialNumber),
    );
    expect(new Set(serials).size).toBe(3);
    for (const s of serials) expect(s.length).toBeGreaterThanOrEqual(30);
  });

  it('refuses a digest of the wrong length for the named algorithm', async () => {
    await expect(createTimestampToken({ digest, hashAlgorithm: 'SHA-512', tsa: h.tsa, clock })).rejects.toThrow(/64 bytes/);
  });

  it('grants a request and echoes its nonce', async () => {
    const answer = await answerTimestampQuery(
      encodeTimestampRequest({ hashAlgorithm: 'SHA-256', hashedMessage: digest, nonce: fromHex('7fffffff'), certReq: true }),
      h.tsa,
      clock,
    );
    expect(answer.status).toBe('granted');
    assertDer(answer.response);
    const reply = parseTimestampResponse(answer.response);
    expect(reply.status).toBe(0);
    expect(parseTimestampToken(reply.token as Uint8Array).nonce).toEqual(fromHex('7fffffff'));
  });

  it.each([
    ['unknown hash algorithm', query(`020101${imprint(tlv(0x30, '06052b0e03021a0500'), digest)}`), 'badAlg', '80', 7],
    ['wrong hash length', query(`020101${imprint(SHA256_ALG, digest.subarray(0, 16))}`), 'badDataFormat', '04', 2],
    ['another policy', query(`020101${imprint(SHA256_ALG, digest)}06032a0304`), 'unacceptedPolicy', '0001', 0],
    [
      'request extensions',
      query(`020101${imprint(SHA256_ALG, digest)}${tlv(0xa0, tlv(0x30, tlv(0x30, '06032a03040400')))}`),
      'unacceptedExtension',
      '000080',
      7,
    ],
  ])('answers %s with an RFC 3161 rejection', async (_name, der, failure, bits, unused) => {
    const answer = await answerTimestampQuery(der, h.tsa, clock);
    expect(answer).toMatchObject({ status: 'rejection', failure });
    assertDer(answer.response);
    const reply = parseTimestampResponse(answer.response);
    expect(reply.status).toBe(2);
    expect(reply.token).toBeUndefined();
    expect(toHex(reply.failInfo as Uint8Array)).toBe(bits);
    const bitString = (asn1js.fromBER(toArrayBuffer(answer.response)).result as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    expect((bitString.valueBlock.value.at(-1) as asn1js.BitString).valueBlock.unusedBits).toBe(unused);
  });

  it('grants a request naming its own policy', async () => {
    const policy = toHex(new Uint8Array(new asn1js.ObjectIdentifier({ value: KYSO_TSA_POLICY }).toBER(false)));
    const answer = await answerTimestampQuery(query(`020101${imprint(SHA256_ALG, digest)}${policy}`), h.tsa, clock);
    expect(answer.status).toBe('granted');
  });

  it('a rejection reads as such in openssl', async () => {
    const answer = await answerTimestampQuery(query(`020101${imprint(tlv(0x30, '06052b0e03021a0500'), digest)}`), h.tsa, clock);
    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'r.tsr'), answer.response);
      const text = openssl(['ts', '-reply', '-in', 'r.tsr', '-text'], dir);
      expect(text.output).toContain('Status: Rejected.');
      expect(text.output).toContain('Failure info: unrecognized or unsupported algorithm identifier');
    });
  });

  it('throws invalid_timestamp_request for bytes that are no request at all', async () => {
    await expect(answerTimestampQuery(new TextEncoder().encode('not der'), h.tsa, clock)).rejects.toMatchObject({
      code: 'invalid_timestamp_request',
    });
  });
});
