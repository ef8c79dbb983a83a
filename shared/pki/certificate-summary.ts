import { sha256Hex, toHex } from '../util/bytes.js';
import { parseCertificate } from './certificate.js';
import { subjectCn } from './certificate-path.js';
import { certificateParts, element } from './der-write.js';

/** 2.5.4.3 commonName, as its OBJECT IDENTIFIER element. */
const CN_OID = [0x06, 0x03, 0x55, 0x04, 0x03];

const decoders: Record<number, (b: Uint8Array) => string | undefined> = {
  12: (b) => Buffer.from(b).toString('utf8'), // UTF8String
  19: (b) => Buffer.from(b).toString('latin1'), // PrintableString
  22: (b) => Buffer.from(b).toString('latin1'), // IA5String
  30: (b) => (b.length % 2 ? undefined : Buffer.from(b).swap16().toString('utf16le')), // BMPString (UTF-16BE)
};

/**
 * The first commonName of a Name (DER), cut out without an object model; undefined when the Name
 * holds none or a string type read here does not cover (the caller then asks pkijs).
 */
const firstCommonName = (name: Uint8Array): string | null | undefined => {
  const outer = element(name, 0);
  for (let rdn = outer.start; rdn < outer.end; rdn = element(name, rdn).end) {
    const set = element(name, rdn);
    for (let atv = set.start; atv < set.end; atv = element(name, atv).end) {
      const seq = element(name, atv);
      const isCn = CN_OID.every((b, i) => name[seq.start + i] === b);
      if (!isCn) continue;
      const valueAt = seq.start + CN_OID.length;
      const decode = decoders[name[valueAt] ?? -1];
      if (!decode) return undefined;
      const value = element(name, valueAt);
      return decode(name.subarray(value.start, value.end));
    }
  }
  return null;
};

/** What the audit trail records of a signer's certificate: names, serial, hashes (of the certificate and its key). */
export const certificateSummary = (der: Uint8Array) => {
  const parts = certificateParts(der);
  let subject = firstCommonName(parts.subject);
  let issuer = firstCommonName(parts.issuer);
  // Rarer string types (T61String, UniversalString...): as pkijs reads them.
  if (subject === undefined || issuer === undefined) {
    const cert = parseCertificate(der);
    subject = subjectCn(cert);
    issuer = String(cert.issuer.typesAndValues.find((t) => t.type === '2.5.4.3')?.value.valueBlock.value ?? '?');
  }
  const serial = element(parts.serial, 0);
  return {
    subject: subject ?? '?',
    issuer: issuer ?? '?',
    serialNumber: toHex(parts.serial.subarray(serial.start, serial.end)),
    sha256: sha256Hex(der),
    /** SHA-256 of the SubjectPublicKeyInfo: shows which key signed, across certificates. */
    publicKeySha256: sha256Hex(parts.spki),
  };
};
