import { X509Certificate } from 'node:crypto';
import { parseCertificate } from '../pki/certificate.js';
import { OID } from '../pki/oids.js';
import { parseTimestampToken } from '../pki/timestamp-parse.js';
import { buildCertificatePath, type CertificatePool } from './build-certificate-path.js';
import { commonNameOf } from './describe-certificate.js';
import type { TimestampReport } from './types.js';
import { hashName, verifySignedData } from './verify-signed-data.js';

export interface TimestampCheck extends TimestampReport {
  readonly genTime?: Date;
  readonly imprintMatches: boolean;
  /** Certificates the token carries (for the DSS-less path and the report). */
  readonly certificates: readonly Uint8Array[];
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Checks an RFC 3161 token: the message imprint equals the hash of `data` (computed with the
 * token's own hash algorithm), the TSA's CMS signature over the TSTInfo, the TSA certificate
 * carries the timeStamping EKU, and its path reaches a trust anchor at the token's time.
 */
export const checkTimestamp = (token: Uint8Array, data: (hash: string) => Uint8Array, pool: CertificatePool): TimestampCheck => {
  let info: ReturnType<typeof parseTimestampToken>;
  try {
    info = parseTimestampToken(token);
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
  const tsa = tsaCert ? commonNameOf(parseCertificate(tsaCert).subject) : undefined;
  const withTsa = { ...base, ...(tsa ? { tsa } : {}) };
  if (!tsaCert || !cms.digestMatches || !cms.signatureValid) {
    return { ...withTsa, valid: false, trusted: false, detail: cms.problem ?? 'the TSA signature does not verify' };
  }
  const x509 = new X509Certificate(Buffer.from(tsaCert));
  // RFC 3161 2.3: the TSA certificate has exactly the timeStamping extended key usage.
  const eku = x509.keyUsage ?? [];
  if (eku.length !== 1 || eku[0] !== OID.timeStamping) {
    return { ...withTsa, valid: false, trusted: false, detail: 'the TSA certificate lacks the timeStamping extended key usage' };
  }
  // The pool already holds every certificate of the file, the tokens' own included.
  const path = buildCertificatePath(tsaCert, pool, info.genTime);
  return { ...withTsa, valid: true, trusted: path.trusted, ...(path.problem ? { detail: `TSA: ${path.problem}` } : {}) };
};
