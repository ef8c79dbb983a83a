import type { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../util/bytes.js';
import type { CrlFetcher } from './ports.js';

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const MAX_URLS = 8;

/** The http(s) CRL distribution point URLs of a certificate. */
export const crlUrlsOf = (cert: X509Certificate): string[] => {
  try {
    const parsed = pkijs.Certificate.fromBER(toArrayBuffer(new Uint8Array(cert.raw)));
    const ext = parsed.extensions?.find((e) => e.extnID === CRL_DISTRIBUTION_POINTS);
    const dps = (ext?.parsedValue as pkijs.CRLDistributionPoints | undefined)?.distributionPoints ?? [];
    return dps
      .flatMap((dp) => (Array.isArray(dp.distributionPoint) ? dp.distributionPoint : []))
      .filter((n) => n.type === 6 && /^https?:\/\//i.test(String(n.value)))
      .map((n) => String(n.value));
  } catch {
    return [];
  }
};

/**
 * Online revocation, when the deployment enables it: the CRLs named by the certificates the
 * file carries (at most 8 URLs, fetched in parallel; a failed fetch is just missing data).
 * What is fetched never raises the PAdES level: B-LT is about what the file itself holds.
 */
export const fetchMissingCrls = async (certs: Iterable<X509Certificate>, fetchCrl: CrlFetcher): Promise<Uint8Array[]> => {
  const urls = [...new Set([...certs].filter((c) => !c.checkIssued(c)).flatMap(crlUrlsOf))].slice(0, MAX_URLS);
  const fetched = await Promise.all(urls.map((u) => fetchCrl(u).catch(() => undefined)));
  return fetched.filter((b): b is Uint8Array => !!b);
};
