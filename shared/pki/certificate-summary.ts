import { sha256Hex, toHex } from '../util/bytes.js';
import { parseCertificate } from './certificate.js';
import { subjectCn } from './certificate-path.js';
import { certificateParts } from './der-write.js';

/** What the audit trail records of a signer's certificate: names, serial, hashes (of the certificate and its key). */
export const certificateSummary = (der: Uint8Array) => {
  const cert = parseCertificate(der);
  return {
    subject: subjectCn(cert),
    issuer: String(cert.issuer.typesAndValues.find((t) => t.type === '2.5.4.3')?.value.valueBlock.value ?? '?'),
    serialNumber: toHex(cert.serialNumber.valueBlock.valueHexView),
    sha256: sha256Hex(der),
    /** SHA-256 of the SubjectPublicKeyInfo: shows which key signed, across certificates. */
    publicKeySha256: sha256Hex(certificateParts(der).spki),
  };
};
