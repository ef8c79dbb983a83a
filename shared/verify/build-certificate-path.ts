import { X509Certificate } from 'node:crypto';
import { sha256Hex } from '../util/bytes.js';
import type { SignatureReport } from './types.js';

/** Certificates a verification may use: trust anchors, and everything the file carries (untrusted). */
export interface CertificatePool {
  readonly anchors: ReadonlyMap<string, X509Certificate>;
  readonly others: ReadonlyMap<string, X509Certificate>;
}

const toX509 = (list: readonly Uint8Array[]): Map<string, X509Certificate> => {
  const out = new Map<string, X509Certificate>();
  for (const der of list) {
    try {
      out.set(sha256Hex(der), new X509Certificate(Buffer.from(der)));
    } catch {
      // an unreadable certificate in a file is simply not a candidate issuer
    }
  }
  return out;
};

export const createCertificatePool = (anchors: readonly Uint8Array[], others: readonly Uint8Array[]): CertificatePool => ({
  anchors: toX509(anchors),
  others: toX509(others),
});

export interface CertificatePath {
  /** Signer first, ending at the anchor when trusted. */
  readonly chain: X509Certificate[];
  readonly trusted: boolean;
  readonly problem?: string;
}

const fingerprint = (c: X509Certificate) => sha256Hex(new Uint8Array(c.raw));
const isValidAt = (c: X509Certificate, at: Date) => new Date(c.validFrom) <= at && at <= new Date(c.validTo);

/**
 * Builds the path from `leaf` up to a trust anchor: each issuer found by name and checked by
 * signature, intermediates must be CAs, and every certificate must be valid at `at` (the
 * trusted time of the signature when there is one, else now).
 */
export const buildCertificatePath = (leafDer: Uint8Array, pool: CertificatePool, at: Date): CertificatePath => {
  let current: X509Certificate;
  try {
    current = new X509Certificate(Buffer.from(leafDer));
  } catch {
    return { chain: [], trusted: false, problem: 'the signer certificate cannot be parsed' };
  }
  const chain = [current];
  const candidates = [...pool.anchors.values(), ...pool.others.values()];
  for (let depth = 0; depth < 10; depth++) {
    if (!isValidAt(current, at)) {
      return {
        chain,
        trusted: false,
        problem: `certificate "${current.subject.replace(/\n/g, ', ')}" is not valid at ${at.toISOString()}`,
      };
    }
    if (pool.anchors.has(fingerprint(current))) return { chain, trusted: true };
    const issuer = candidates.find((c) => current.checkIssued(c) && current.verify(c.publicKey) && fingerprint(c) !== fingerprint(current));
    if (!issuer) {
      const selfSigned = current.checkIssued(current) && current.verify(current.publicKey);
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
