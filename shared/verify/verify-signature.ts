import { OID } from '../pki/oids.js';
import { buildCertificatePath, describePath } from './build-certificate-path.js';
import { checkByteRange } from './check-byte-range.js';
import { checkRevocation } from './check-revocation.js';
import { checkTimestamp, type TimestampCheck } from './check-timestamp.js';
import { commonNameOf, describeCertificate } from './describe-certificate.js';
import { readCertificate } from './read-certificate.js';
import type { SignatureEntry } from './read-signatures.js';
import { signatureTier, TIER_TEXT } from './signature-tier.js';
import type { RevocationReport, SignatureReport, TimestampReport, Verdict } from './types.js';
import { signedContent, type VerifyContext } from './verify-context.js';
import { digest, type SignedDataCheck, verifySignedData } from './verify-signed-data.js';

const signatureTimestampToken = (check: SignedDataCheck): Uint8Array | undefined =>
  check.signerInfo.unsignedAttrs.find((a) => a.type === OID.signatureTimeStamp)?.values[0]?.encoded;

/** The verdict from the individual checks (ETSI EN 319 102-1 style: failed → invalid, unknown → indeterminate). */
export const decide = (r: {
  integrity: boolean;
  signature: boolean;
  wellFormed: boolean;
  disallowed: number;
  trusted: boolean;
  pathProblem?: string;
  revocation: RevocationReport['status'];
  timestampValid: boolean;
}): { verdict: Verdict; reasons: string[] } => {
  const invalid: string[] = [];
  if (!r.wellFormed) invalid.push('byte_range_malformed');
  if (!r.integrity) invalid.push('integrity_failed');
  if (!r.signature) invalid.push('signature_value_invalid');
  if (r.disallowed) invalid.push('modified_after_signing');
  if (r.revocation === 'revoked') invalid.push('certificate_revoked');
  if (!r.timestampValid) invalid.push('timestamp_invalid');
  if (invalid.length) return { verdict: 'invalid', reasons: invalid };
  const unknown: string[] = [];
  if (!r.trusted)
    unknown.push(r.pathProblem?.includes('not valid at') ? 'certificate_expired_or_not_yet_valid' : 'certificate_not_trusted');
  if (r.revocation === 'unknown') unknown.push('no_revocation_info');
  return unknown.length ? { verdict: 'indeterminate', reasons: unknown } : { verdict: 'valid', reasons: [] };
};

const timestampReport = (t: TimestampCheck | undefined): TimestampReport | undefined =>
  t
    ? {
        valid: t.valid,
        trusted: t.trusted,
        ...(t.time ? { time: t.time } : {}),
        ...(t.tsa ? { tsa: t.tsa } : {}),
        ...(t.detail ? { detail: t.detail } : {}),
      }
    : undefined;

/** Verifies one approval or certification signature (CAdES or PKCS#7 detached). */
export const verifySignature = async (ctx: VerifyContext, entry: SignatureEntry, index: number): Promise<SignatureReport> => {
  const coverage = checkByteRange(ctx.bytes, entry.byteRange);
  const content = signedContent(ctx, entry, coverage.wellFormed);
  let check: SignedDataCheck | undefined;
  let problem: string | undefined;
  try {
    check = verifySignedData(entry.cms, content.parts, content.digest);
  } catch (e) {
    problem = `the signature is not a readable CMS: ${(e as Error).message}`;
  }
  const token = check && signatureTimestampToken(check);
  const ts = token && check ? checkTimestamp(token, (h) => digest(h, [check.signatureValue]), ctx.pool) : undefined;
  const at = ts?.valid && ts.trusted && ts.genTime ? ts.genTime : ctx.now;
  const path = check?.signerCertificate ? buildCertificatePath(check.signerCertificate, ctx.pool, at) : undefined;
  const revocation = path
    ? checkRevocation(path.chain, ctx.revocation, at)
    : { status: 'unknown' as const, source: 'none' as const, crlsChecked: 0, ocspResponses: 0, ocspChecked: 0 };
  const mods =
    coverage.wellFormed && !coverage.coversWholeFile ? await ctx.modificationsAfter(coverage.revisionEnd) : { allowed: [], disallowed: [] };
  const { verdict, reasons } = decide({
    integrity: !!check?.digestMatches,
    signature: !!check?.signatureValid,
    wellFormed: coverage.wellFormed && coverage.coversRevision,
    disallowed: mods.disallowed.length,
    trusted: !!path?.trusted,
    ...(path?.problem ? { pathProblem: path.problem } : {}),
    revocation: revocation.status,
    timestampValid: !ts || ts.valid,
  });
  const cert = check?.signerCertificate;
  const signerName = entry.name ?? (cert ? commonNameOf(readCertificate(cert).subject) : undefined);
  const { wellFormed: _w, ...coverageReport } = coverage;
  const tier = cert ? signatureTier(cert, path, ctx.platformRoot) : undefined;
  return {
    index,
    kind: entry.kind,
    ...(entry.fieldName ? { fieldName: entry.fieldName } : {}),
    ...(entry.subFilter ? { subFilter: entry.subFilter } : {}),
    ...(signerName ? { signerName } : {}),
    ...(entry.claimedTime ? { claimedTime: entry.claimedTime.toISOString() } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(cert ? { certificate: describeCertificate(cert) } : {}),
    ...(tier ? { tier, tierText: { vi: TIER_TEXT.vi[tier], en: TIER_TEXT.en[tier] } } : {}),
    byteRange: entry.byteRange,
    integrity: { ok: !!check?.digestMatches, ...(problem ? { detail: problem } : check?.problem ? { detail: check.problem } : {}) },
    signatureValue: { ok: !!check?.signatureValid, ...(check?.digestAlgorithm ? { detail: check.digestAlgorithm } : {}) },
    coverage: coverageReport,
    modifications: mods,
    certificatePath: describePath(path),
    revocation,
    ...(ts ? { timestamp: timestampReport(ts) as TimestampReport } : {}),
    verdict,
    reasons,
  };
};

export { timestampReport };
