import { OID } from '../pki/oids.js';
import { type Ber, BerError, expect, oidOf, parseBer, sequence, timeOf, UNIVERSAL } from './ber.js';
import { buildCertificatePath, type CertificatePool, certificateIn } from './build-certificate-path.js';
import { commonNameOf } from './describe-certificate.js';
import { readCertificate } from './read-certificate.js';
import { readSignedData } from './read-cms.js';
import type { TimestampReport } from './types.js';
import { hashName, type SignedDataCheck, verifySignedData } from './verify-signed-data.js';

export interface TimestampCheck extends TimestampReport {
  readonly genTime?: Date;
  readonly imprintMatches: boolean;
  /** Certificates the token carries (for the DSS-less path and the report). */
  readonly certificates: readonly Uint8Array[];
  /** The token's CMS check (over its TSTInfo), when the imprint matched and it was made. */
  readonly signedData?: SignedDataCheck;
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const fail = (why: string): never => {
  throw new BerError(`not an RFC 3161 timestamp token: ${why}`);
};

/** The TSTInfo of a timestamp token (RFC 3161 2.4.2); the CMS signature is checked separately. */
const readTst = (token: Uint8Array) => {
  const sd = readSignedData(token);
  if (sd.eContentType !== OID.tstInfo) fail(`eContentType is ${sd.eContentType}`);
  const tstInfo = sd.eContent ?? fail('no encapsulated TSTInfo');
  const [version, policy, imprint, serial, genTime] = sequence(parseBer(tstInfo), 'TSTInfo');
  if (!version?.is(UNIVERSAL, 2) || !policy?.is(UNIVERSAL, 6) || !serial?.is(UNIVERSAL, 2)) fail('malformed TSTInfo');
  const [alg, hashed] = sequence(imprint, 'messageImprint');
  const hashAlgorithmOid = oidOf(sequence(alg, 'hashAlgorithm')[0], 'hashAlgorithm');
  return {
    hashAlgorithmOid,
    hashedMessage: expect(hashed, UNIVERSAL, 4, 'hashedMessage').content,
    genTime: timeOf(expect(genTime as Ber, UNIVERSAL, 24, 'genTime'), 'genTime'),
    tstInfo,
    certificates: sd.certificates,
  };
};

export const readTimestampToken = (token: Uint8Array): ReturnType<typeof readTst> => {
  try {
    return readTst(token);
  } catch (e) {
    const why = (e as Error).message;
    return why.startsWith('not an RFC 3161') ? fail(why.slice('not an RFC 3161 timestamp token: '.length)) : fail(why);
  }
};

/**
 * Checks an RFC 3161 token: the message imprint equals the hash of `data` (computed with the
 * token's own hash algorithm), the TSA's CMS signature over the TSTInfo, the TSA certificate
 * carries the timeStamping EKU, and its path reaches a trust anchor at the token's time.
 */
export const checkTimestamp = (token: Uint8Array, data: (hash: string) => Uint8Array, pool: CertificatePool): TimestampCheck => {
  let info: ReturnType<typeof readTimestampToken>;
  try {
    info = readTimestampToken(token);
  } catch (e) {
    return { valid: false, trusted: false, imprintMatches: false, certificates: [], detail: (e as Error).message };
  }
  const hash = hashName(info.hashAlgorithmOid);
  const imprintMatches = !!hash && bytesEqual(info.hashedMessage, data(hash));
  const base = { time: info.genTime.toISOString(), genTime: info.genTime, certificates: info.certificates, imprintMatches };
  if (!hash) return { ...base, valid: false, trusted: false, detail: `unsupported imprint hash ${info.hashAlgorithmOid}` };
  if (!imprintMatches) return { ...base, valid: false, trusted: false, detail: 'the message imprint does not match the timestamped data' };
  const cms = verifySignedData(token, [info.tstInfo]);
  const tsaCert = cms.signerCertificate;
  const tsa = tsaCert ? commonNameOf(readCertificate(tsaCert).subject) : undefined;
  const withTsa = { ...base, signedData: cms, ...(tsa ? { tsa } : {}) };
  if (!tsaCert || !cms.digestMatches || !cms.signatureValid) {
    return { ...withTsa, valid: false, trusted: false, detail: cms.problem ?? 'the TSA signature does not verify' };
  }
  const x509 = certificateIn(pool, tsaCert);
  // RFC 3161 2.3: the TSA certificate has exactly the timeStamping extended key usage.
  const eku = x509.keyUsage ?? [];
  if (eku.length !== 1 || eku[0] !== OID.timeStamping) {
    return { ...withTsa, valid: false, trusted: false, detail: 'the TSA certificate lacks the timeStamping extended key usage' };
  }
  // The pool already holds every certificate of the file, the tokens' own included.
  const path = buildCertificatePath(tsaCert, pool, info.genTime);
  return { ...withTsa, valid: true, trusted: path.trusted, ...(path.problem ? { detail: `TSA: ${path.problem}` } : {}) };
};
