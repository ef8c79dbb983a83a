import type * as pkijs from 'pkijs';
import { parseCertificate } from '../pki/certificate.js';
import { sha256Hex, toHex } from '../util/bytes.js';
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
export const formatName = (name: pkijs.RelativeDistinguishedNames): string =>
  name.typesAndValues
    .map((tv) => `${SHORT[tv.type] ?? tv.type}=${String((tv.value.valueBlock as { value?: unknown }).value ?? '')}`)
    .reverse()
    .join(', ');

export const commonNameOf = (name: pkijs.RelativeDistinguishedNames): string | undefined => {
  const cn = name.typesAndValues.find((tv) => tv.type === '2.5.4.3');
  return cn ? String((cn.value.valueBlock as { value?: unknown }).value ?? '') : undefined;
};

export const describeCertificate = (der: Uint8Array): CertificateInfo => {
  const cert = parseCertificate(der);
  return {
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    serialNumber: toHex(new Uint8Array(cert.serialNumber.valueBlock.valueHexView)).toUpperCase(),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    sha256: sha256Hex(der),
  };
};
