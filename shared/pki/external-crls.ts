import type * as pkijs from 'pkijs';
import { toHex } from '../util/bytes.js';
import { keyIdentifier, parseCertificate } from './certificate.js';
import { OID } from './oids.js';

/** Fetches a CRL by URL (with its own SSRF and size guards); undefined when unavailable. */
export type CrlSource = (url: string) => Promise<Uint8Array | undefined>;

const nameOf = (name: pkijs.RelativeDistinguishedNames) => toHex(new Uint8Array(name.toSchema().toBER(false)));

const spkiOf = (cert: pkijs.Certificate) => new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));

/** The key that signed a certificate, by its authority key identifier (names alone can collide). */
const authorityKeyId = (cert: pkijs.Certificate): string | undefined => {
  const aki = cert.extensions?.find((e) => e.extnID === OID.authorityKeyIdentifier)?.parsedValue as
    | pkijs.AuthorityKeyIdentifier
    | undefined;
  return aki?.keyIdentifier ? toHex(new Uint8Array(aki.keyIdentifier.valueBlock.valueHexView)) : undefined;
};

/** The http(s) CRL distribution point URLs of a certificate. */
export const crlUrlsOf = (cert: pkijs.Certificate): string[] => {
  const ext = cert.extensions?.find((e) => e.extnID === OID.crlDistributionPoints);
  const points = (ext?.parsedValue as pkijs.CRLDistributionPoints | undefined)?.distributionPoints ?? [];
  return points
    .flatMap((p) => (Array.isArray(p.distributionPoint) ? p.distributionPoint : []))
    .filter((g) => g.type === 6 && typeof g.value === 'string' && /^https?:\/\//i.test(g.value))
    .map((g) => g.value as string);
};

/**
 * CRLs for the certificates in a document that the platform did not issue (signers' own
 * CAs, external TSAs): what the DSS needs beyond the platform's own CRLs for B-LT. Each
 * distribution point is fetched once; what cannot be fetched is left out (the validator then
 * reports missing revocation data rather than the completion failing).
 */
export const externalCrls = async (
  certificates: readonly Uint8Array[],
  platformCas: readonly Uint8Array[],
  fetchCrl: CrlSource,
): Promise<Uint8Array[]> => {
  const platform = new Set(platformCas.map((c) => toHex(keyIdentifier(spkiOf(parseCertificate(c))))));
  const urls = new Set<string>();
  for (const der of certificates) {
    const cert = parseCertificate(der);
    const issuerKey = authorityKeyId(cert);
    const ownKey = toHex(keyIdentifier(spkiOf(cert)));
    const selfIssued = issuerKey ? issuerKey === ownKey : nameOf(cert.issuer) === nameOf(cert.subject);
    if (selfIssued || (issuerKey && platform.has(issuerKey))) continue; // a root, or issued by the platform (its CRLs are added anyway)
    for (const url of crlUrlsOf(cert)) urls.add(url);
  }
  const fetched = await Promise.all([...urls].map((u) => fetchCrl(u).catch(() => undefined)));
  return fetched.filter((c): c is Uint8Array => !!c);
};
