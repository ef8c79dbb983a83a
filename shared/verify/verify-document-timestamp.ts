import { buildCertificatePath, describePath } from './build-certificate-path.js';
import { checkByteRange } from './check-byte-range.js';
import { checkRevocation } from './check-revocation.js';
import { checkTimestamp } from './check-timestamp.js';
import { describeCertificate } from './describe-certificate.js';
import type { SignatureEntry } from './read-signatures.js';
import type { SignatureReport } from './types.js';
import { signedContent, type VerifyContext } from './verify-context.js';
import { decide, timestampReport } from './verify-signature.js';
import { verifySignedData } from './verify-signed-data.js';

/** Verifies a document timestamp (SubFilter ETSI.RFC3161): the token's imprint is the hash of the ByteRange. */
export const verifyDocumentTimestamp = async (ctx: VerifyContext, entry: SignatureEntry, index: number): Promise<SignatureReport> => {
  const coverage = checkByteRange(ctx.bytes, entry.byteRange);
  const ts = checkTimestamp(entry.cms, signedContent(ctx, entry, coverage.wellFormed).digest, ctx.pool);
  // The token's own CMS check, done once by checkTimestamp when the imprint matched; else here.
  const done = ts.signedData?.signerInfo.signedAttrs ? ts.signedData : undefined;
  let tsaCert: Uint8Array | undefined = done?.signerCertificate;
  let signatureOk = done?.signatureValid ?? false;
  if (!done) {
    try {
      const info = verifySignedData(entry.cms, []);
      tsaCert = info.signerCertificate;
      signatureOk = info.signatureValid;
    } catch {
      // reported through ts.detail
    }
  }
  const imprintOk = ts.imprintMatches;
  const at = ts.genTime ?? ctx.now;
  const path = tsaCert ? buildCertificatePath(tsaCert, ctx.pool, at) : undefined;
  const revocation = path
    ? checkRevocation(path.chain, ctx.revocation, at)
    : { status: 'unknown' as const, source: 'none' as const, crlsChecked: 0, ocspResponses: 0, ocspChecked: 0 };
  const mods =
    coverage.wellFormed && !coverage.coversWholeFile ? await ctx.modificationsAfter(coverage.revisionEnd) : { allowed: [], disallowed: [] };
  const { verdict, reasons } = decide({
    integrity: imprintOk,
    signature: signatureOk,
    wellFormed: coverage.wellFormed && coverage.coversRevision,
    disallowed: mods.disallowed.length,
    trusted: !!path?.trusted,
    ...(path?.problem ? { pathProblem: path.problem } : {}),
    revocation: revocation.status,
    timestampValid: ts.valid,
  });
  const { wellFormed: _w, ...coverageReport } = coverage;
  return {
    index,
    kind: 'document-timestamp',
    ...(entry.fieldName ? { fieldName: entry.fieldName } : {}),
    ...(entry.subFilter ? { subFilter: entry.subFilter } : {}),
    ...(ts.tsa ? { signerName: ts.tsa } : {}),
    ...(tsaCert ? { certificate: describeCertificate(tsaCert) } : {}),
    byteRange: entry.byteRange,
    integrity: { ok: imprintOk, ...(ts.detail ? { detail: ts.detail } : {}) },
    signatureValue: { ok: signatureOk },
    coverage: coverageReport,
    modifications: mods,
    certificatePath: describePath(path),
    revocation,
    timestamp: timestampReport(ts) as NonNullable<SignatureReport['timestamp']>,
    verdict,
    reasons,
  };
};
