import type { PadesLevel, SignatureReport } from './types.js';
import type { VerifyContext } from './verify-context.js';

/**
 * PAdES baseline level reached by each approval signature (ETSI EN 319 142-1):
 * B-B a CAdES detached signature; B-T plus a valid trusted time (its signature timestamp or
 * a later document timestamp); B-LT plus validation data in the DSS (the path's CRLs);
 * B-LTA plus a valid document timestamp over a revision that has the DSS.
 */
export const determineLevels = async (ctx: VerifyContext, reports: SignatureReport[]): Promise<SignatureReport[]> => {
  const docTimestamps = reports.filter((r) => r.kind === 'document-timestamp' && r.verdict === 'valid');
  const archiveEnds: number[] = [];
  for (const t of docTimestamps) if (await ctx.hasDssAt(t.coverage.revisionEnd)) archiveEnds.push(t.coverage.revisionEnd);
  return reports.map((r) => {
    if (r.kind === 'document-timestamp' || r.subFilter !== 'ETSI.CAdES.detached' || !r.integrity.ok || !r.signatureValue.ok) return r;
    const end = r.coverage.revisionEnd;
    let level: PadesLevel = 'B-B';
    const laterTimestamp = docTimestamps.some((t) => t.coverage.revisionEnd > end);
    if ((r.timestamp?.valid && r.timestamp.trusted) || laterTimestamp) level = 'B-T';
    const dssData = r.revocation.status === 'good' && (r.revocation.source === 'dss' || r.revocation.source === 'mixed');
    if (level === 'B-T' && r.certificatePath.trusted && dssData) level = 'B-LT';
    if (level === 'B-LT' && archiveEnds.some((e) => e > end)) level = 'B-LTA';
    return { ...r, level };
  });
};
