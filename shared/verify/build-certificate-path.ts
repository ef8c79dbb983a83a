import { type KeyObject, X509Certificate } from 'node:crypto';
import { sha256Hex } from '../util/bytes.js';
import type { SignatureReport } from './types.js';

/** Certificates a verification may use: trust anchors, and everything the file carries (untrusted). */
export interface CertificatePool {
  readonly anchors: ReadonlyMap<string, X509Certificate>;
  readonly others: ReadonlyMap<string, X509Certificate>;
  /** Anchors first, then the file's certificates: where issuers are looked for. */
  readonly candidates?: readonly X509Certificate[];
  /**
   * Leaf-to-issuer signature checks of this verification (a TSA certificate recurs in every
   * signature's timestamp); CA-to-CA checks are kept per process (caSignatures).
   */
  readonly leafSignatures?: Map<string, boolean>;
}

/** The certificate of `der` as this pool parsed it (each certificate of a file is parsed once per verification). */
export const certificateIn = (pool: CertificatePool, der: Uint8Array): X509Certificate => {
  const fp = sha256Hex(der);
  return pool.others.get(fp) ?? pool.anchors.get(fp) ?? new X509Certificate(Buffer.from(der));
};

/**
 * CA certificates (and their fingerprints) recur in every document a deployment verifies:
 * the platform root and issuing CA, the TSA's chain, a licensed CA's intermediates. They are
 * kept per process (bounded); leaf certificates, one per signature, are not.
 */
const caCertificates = new Map<string, X509Certificate>();
const fingerprints = new WeakMap<X509Certificate, string>();

const toX509 = (list: readonly Uint8Array[]): Map<string, X509Certificate> => {
  const out = new Map<string, X509Certificate>();
  for (const der of list) {
    const fp = sha256Hex(der);
    if (out.has(fp)) continue;
    let cert = caCertificates.get(fp);
    if (!cert) {
      try {
        cert = new X509Certificate(Buffer.from(der));
      } catch {
        // an unreadable certificate in a file is simply not a candidate issuer
        continue;
      }
      if (cert.ca && caCertificates.size < 1024) caCertificates.set(fp, cert);
    }
    fingerprints.set(cert, fp);
    out.set(fp, cert);
  }
  return out;
};

export const createCertificatePool = (anchors: readonly Uint8Array[], others: readonly Uint8Array[]): CertificatePool => {
  const a = toX509(anchors);
  const o = toX509(others);
  return { anchors: a, others: o, candidates: [...a.values(), ...o.values()], leafSignatures: new Map() };
};

export interface CertificatePath {
  /** Signer first, ending at the anchor when trusted. */
  readonly chain: X509Certificate[];
  readonly trusted: boolean;
  readonly problem?: string;
}

const fingerprint = (c: X509Certificate): string => {
  let fp = fingerprints.get(c);
  if (!fp) {
    fp = sha256Hex(c.raw);
    fingerprints.set(c, fp);
  }
  return fp;
};

/** Issuer signature checks between two CA certificates, per process: the same pairs recur in every document. */
const caSignatures = new Map<string, boolean>();
/** X509Certificate#publicKey makes a new KeyObject on every read: one per certificate object. */
const publicKeys = new WeakMap<X509Certificate, KeyObject>();
const publicKeyOf = (c: X509Certificate): KeyObject => {
  let key = publicKeys.get(c);
  if (!key) {
    key = c.publicKey;
    publicKeys.set(c, key);
  }
  return key;
};
const isIssuedBy = (cert: X509Certificate, issuer: X509Certificate, leafSignatures?: Map<string, boolean>): boolean => {
  if (!cert.checkIssued(issuer)) return false;
  const key = `${fingerprint(cert)}/${fingerprint(issuer)}`;
  const cache = cert.ca ? caSignatures : leafSignatures;
  let ok = cache?.get(key);
  if (ok === undefined) {
    ok = cert.verify(publicKeyOf(issuer));
    if (cache && cache.size < 4096) cache.set(key, ok);
  }
  return ok;
};
const isValidAt = (c: X509Certificate, at: Date) => new Date(c.validFrom) <= at && at <= new Date(c.validTo);

/**
 * Builds the path from `leaf` up to a trust anchor: each issuer found by name and checked by
 * signature, intermediates must be CAs, and every certificate must be valid at `at` (the
 * trusted time of the signature when there is one, else now).
 */
export const buildCertificatePath = (leafDer: Uint8Array, pool: CertificatePool, at: Date): CertificatePath => {
  let current: X509Certificate;
  try {
    current = certificateIn(pool, leafDer);
  } catch {
    return { chain: [], trusted: false, problem: 'the signer certificate cannot be parsed' };
  }
  const chain = [current];
  const candidates = pool.candidates ?? [...pool.anchors.values(), ...pool.others.values()];
  for (let depth = 0; depth < 10; depth++) {
    if (!isValidAt(current, at)) {
      return {
        chain,
        trusted: false,
        problem: `certificate "${current.subject.replace(/\n/g, ', ')}" is not valid at ${at.toISOString()}`,
      };
    }
    if (pool.anchors.has(fingerprint(current))) return { chain, trusted: true };
    const own = fingerprint(current);
    const issuer = candidates.find((c) => fingerprint(c) !== own && isIssuedBy(current, c, pool.leafSignatures));
    if (!issuer) {
      const selfSigned = isIssuedBy(current, current, pool.leafSignatures);
      return {
        chain,
        trusted: false,
        problem: selfSigned ? 'the root certificate is not in the trust list' : 'no issuer certificate found for the path',
      };
    }
    if (!issuer.ca) return { chain, trusted: false, problem: 'an issuer in the path is not a CA certificate' };
    chain.push(issuer);
    current = issuer;
  }
  return { chain, trusted: false, problem: 'the certificate path is too long' };
};

/** The report's view of a path: trusted or not, the chain's subjects (leaf first), and why not. */
export const describePath = (path: CertificatePath | undefined): SignatureReport['certificatePath'] => ({
  trusted: !!path?.trusted,
  chain: (path?.chain ?? []).map((c) => c.subject.split('\n').reverse().join(', ')),
  ...(path?.problem ? { detail: path.problem } : {}),
});
