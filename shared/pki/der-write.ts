import { concatBytes } from '../util/bytes.js';

/**
 * DER written and cut directly, for structures whose shape is fixed (CMS signatures, timestamp
 * tokens): no object model, no re-parsing of certificates. Input from the outside is checked
 * elsewhere (der.ts); these helpers trust what the platform itself produced or already accepted.
 */

const lengthBytes = (n: number): number[] => {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
};

/** One DER element: tag, definite minimal length, contents. */
export const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const body = parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(...parts);
  const head = [tag, ...lengthBytes(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
};

/** Start and end of the contents of the element at `at` (lenient: certificates come from anywhere). */
export const element = (der: Uint8Array, at: number): { start: number; end: number } => {
  const first = der[at + 1] ?? 0;
  let start = at + 2;
  let length = first;
  if (first & 0x80) {
    length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (der[start++] ?? 0);
  }
  if (start + length > der.length) throw new Error('certificate DER is truncated');
  return { start, end: start + length };
};

export interface CertificateParts {
  /** issuer Name, serialNumber INTEGER, subject Name and SubjectPublicKeyInfo, DER, as they appear in the certificate. */
  readonly issuer: Uint8Array;
  readonly serial: Uint8Array;
  readonly subject: Uint8Array;
  readonly spki: Uint8Array;
}

const partsCache = new WeakMap<Uint8Array, CertificateParts>();

/** Issuer, serial number, subject and public key, cut out of TBSCertificate (version [0] is optional). */
export const certificateParts = (der: Uint8Array): CertificateParts => {
  const cached = partsCache.get(der);
  if (cached) return cached;
  const tbs = element(der, element(der, 0).start);
  let at = tbs.start;
  if (der[at] === 0xa0) at = element(der, at).end;
  const serialEnd = element(der, at).end;
  const issuerAt = element(der, serialEnd).end; // skip the signature AlgorithmIdentifier
  const issuerEnd = element(der, issuerAt).end;
  const subjectAt = element(der, issuerEnd).end; // skip the validity
  const subjectEnd = element(der, subjectAt).end;
  const parts = {
    serial: der.subarray(at, serialEnd),
    issuer: der.subarray(issuerAt, issuerEnd),
    subject: der.subarray(subjectAt, subjectEnd),
    spki: der.subarray(subjectEnd, element(der, subjectEnd).end),
  };
  partsCache.set(der, parts);
  return parts;
};

/** Byte-wise order of two encodings (a DER SET OF is sorted by it). */
export const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  }
  return a.length - b.length;
};
