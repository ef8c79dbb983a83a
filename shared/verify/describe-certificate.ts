import { sha256Hex, toHex } from '../util/bytes.js';
import type { Ber } from './ber.js';
import { nameAttributes, readCertificate } from './read-certificate.js';
import type { CertificateInfo } from './types.js';

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** A readable name, most specific attribute first: "CN=Nguyễn Văn An, O=…, C=VN". */
export const formatName = (name: Ber): string =>
  nameAttributes(name)
    .map((a) => `${SHORT[a.type] ?? a.type}=${a.text ?? ''}`)
    .reverse()
    .join(', ');

export const commonNameOf = (name: Ber): string | undefined => {
  const cn = nameAttributes(name).find((a) => a.type === '2.5.4.3');
  return cn ? (cn.text ?? '') : undefined;
};

export const describeCertificate = (der: Uint8Array): CertificateInfo => {
  const cert = readCertificate(der);
  return {
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    serialNumber: toHex(cert.serial).toUpperCase(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    sha256: sha256Hex(der),
  };
};
