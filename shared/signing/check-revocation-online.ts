import { X509Certificate } from 'node:crypto';
import { AppError } from '../errors.js';
import { checkRevocation } from '../verify/check-revocation.js';
import { fetchMissingCrls } from '../verify/fetch-missing-crls.js';
import type { CrlFetcher } from '../verify/ports.js';

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

/**
 * Revocation "when available": the CRLs named by the certificates of the signer's path are
 * fetched (when the deployment gives a fetcher) and checked with the verification service's
 * code. A revoked certificate is refused; no reachable CRL is `unknown` and allowed (the
 * status goes into the audit trail), since many CAs' CRLs are slow or unreachable from AWS.
 */
export const checkPathRevocation = async (
  path: readonly Uint8Array[],
  fetchCrl: CrlFetcher | undefined,
  at: Date,
): Promise<RevocationStatus> => {
  if (!fetchCrl || path.length < 2) return 'unknown';
  const certs = path.map((der) => new X509Certificate(Buffer.from(der)));
  const onlineCrls = await fetchMissingCrls(certs, fetchCrl);
  if (!onlineCrls.length) return 'unknown';
  // Link by link, so a CA that publishes no CRL for its intermediate does not hide the signer's own status.
  const data = { dssCrls: [], cmsCrls: [], onlineCrls, dssOcsps: [], cmsOcsps: [] };
  const statuses = certs.slice(0, -1).map((cert, i) => checkRevocation([cert, certs[i + 1] as X509Certificate], data, at));
  const revoked = statuses.find((r) => r.status === 'revoked');
  if (revoked) throw new AppError('certificate_rejected', `The certificate was rejected: ${revoked.detail ?? 'revoked'}.`);
  // What is reported is the signer's own certificate's status (its CA's is often not published).
  return statuses[0]?.status === 'good' ? 'good' : 'unknown';
};
