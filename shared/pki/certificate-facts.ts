import { createHash } from 'node:crypto';
import { parseCertificate } from './certificate.js';

/** What the audit trail records of a certificate: enough to find it in the PDF, no personal data. */
export const certificateFacts = (der: Uint8Array): { serialNumber: string; sha256: string; publicKeySha256: string } => {
  const cert = parseCertificate(der);
  const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  return {
    serialNumber: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
    sha256: createHash('sha256').update(der).digest('hex'),
    publicKeySha256: createHash('sha256').update(spki).digest('hex'),
  };
};
