import * as asn1js from 'asn1js';
import { concatBytes, latin1 } from '../util/bytes.js';

/**
 * DER written and cut directly, for structures whose shape is fixed (CMS signatures, timestamp
 * tokens, issued certificates): no object model, no re-parsing of certificates. Input from the outside is checked
 * elsewhere (der.ts); these helpers trust what the platform itself produced or already accepted.
 */

/** Universal tags used by the writers. */
export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

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

const oids = new Map<string, Uint8Array>();

/** An OBJECT IDENTIFIER, DER, written by asn1js once per OID (UUID arcs need big integers) and kept. */
export const oidDer = (oid: string): Uint8Array => {
  let der = oids.get(oid);
  if (!der) {
    der = new Uint8Array(new asn1js.ObjectIdentifier({ value: oid }).toBER(false));
    oids.set(oid, der);
  }
  return der;
};

/** asn1js's padNumber: a number too wide for its field is written as nothing. */
const pad = (n: number, width: number): string => {
  const s = String(n);
  return s.length > width ? '' : s.padStart(width, '0');
};

/** Month to second of a Date in UTC, two digits each. */
const monthToSecond = (d: Date): string =>
  `${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}`;

/** UTCTime as asn1js writes a Date: UTC, seconds, "Z"; the year as year − 1900 before 2000, else year − 2000. */
export const utcTime = (d: Date): Uint8Array => {
  const y = d.getUTCFullYear();
  return tlv(0x17, latin1(`${pad(y < 2000 ? y - 1900 : y - 2000, 2)}${monthToSecond(d)}Z`));
};

/** GeneralizedTime as asn1js writes a Date: UTC, "Z", the fraction without trailing zeros (DER). */
export const generalizedTime = (d: Date): Uint8Array => {
  const ms = d.getUTCMilliseconds();
  const fraction = ms !== 0 ? `.${pad(ms, 3).replace(/0+$/, '')}` : '';
  return tlv(0x18, latin1(`${pad(d.getUTCFullYear(), 4)}${monthToSecond(d)}${fraction}Z`));
};

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A string's UTF-8 bytes as asn1js encodes a Utf8String: a lone surrogate throws (a URIError from
 * encodeURIComponent there) rather than turning into U+FFFD.
 */
export const utf8 = (text: string): Uint8Array => {
  if (LONE_SURROGATE.test(text)) throw new URIError('URI malformed');
  return new Uint8Array(Buffer.from(text, 'utf8'));
};
