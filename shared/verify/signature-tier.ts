import * as asn1js from 'asn1js';
import { OID } from '../pki/oids.js';
import { KYSO_ONE_TIME_POLICY } from '../pki/platform-pki.js';
import type { CertificatePath } from './build-certificate-path.js';
import { nameAttributes, readCertificate } from './read-certificate.js';
import type { ReportLang } from './report-text.js';

/**
 * What kind of signature this is in Vietnamese terms (Law on E-Transactions 2023, Decree 23/2025):
 * - `platform-one-time`: a one-time certificate from Kyso's CA (ADR 0011) — an electronic signature;
 * - `licensed-ca`: a certificate chaining to a trusted root other than Kyso's (the national root,
 *   a licensed public CA the deployment or tenant trusts) — a digital signature;
 * - `organisation-seal`: an organisation's certificate (tax code in the subject) — the seal;
 * - `platform`: signed by Kyso itself (the certification at send, the certificate of completion);
 * - `untrusted`: no path to any trusted root.
 */
export type SignatureTier = 'platform-one-time' | 'licensed-ca' | 'organisation-seal' | 'platform' | 'untrusted';

export const TIER_TEXT: Record<ReportLang, Record<SignatureTier, string>> = {
  vi: {
    'platform-one-time': 'Chữ ký điện tử (chứng thư số dùng một lần của nền tảng Kyso)',
    'licensed-ca': 'Chữ ký số (chứng thư số của tổ chức cung cấp dịch vụ chứng thực được tin cậy)',
    'organisation-seal': 'Con dấu điện tử của tổ chức',
    platform: 'Chữ ký của nền tảng Kyso (chứng nhận tài liệu, không phải chữ ký của một bên)',
    untrusted: 'Không xác định (chứng thư không thuộc danh sách tin cậy)',
  },
  en: {
    'platform-one-time': 'Electronic signature (Kyso platform one-time certificate)',
    'licensed-ca': 'Digital signature (certificate from a trusted, licensed CA)',
    'organisation-seal': 'Organisation seal',
    platform: 'Kyso platform signature (document certification, not a party’s signature)',
    untrusted: 'Unknown (the certificate does not chain to a trusted root)',
  },
};

const ONE_TIME_POLICY_DER = Buffer.from(new asn1js.ObjectIdentifier({ value: KYSO_ONE_TIME_POLICY }).toBER(false));

/** Whether the certificatePolicies extension names Kyso's one-time policy (compared as DER: UUID arcs exceed 2^53). */
const hasOneTimePolicy = (leaf: Uint8Array): boolean => {
  const ext = readCertificate(leaf).extensions.find((e) => e.oid === OID.certificatePolicies);
  return !!ext && Buffer.from(ext.value.buffer, ext.value.byteOffset, ext.value.byteLength).includes(ONE_TIME_POLICY_DER);
};

/** Vietnamese CAs put an organisation's tax code in the subject as UID=MST:… (or serialNumber). */
const isOrganisation = (leaf: Uint8Array): boolean =>
  nameAttributes(readCertificate(leaf).subject).some(
    (a) => (a.type === OID.userId || a.type === OID.serialNumber) && (a.text ?? '').startsWith('MST:'),
  );

export const signatureTier = (leaf: Uint8Array, path: CertificatePath | undefined, platformRoot: Uint8Array | undefined): SignatureTier => {
  if (!path?.trusted) return 'untrusted';
  if (isOrganisation(leaf)) return 'organisation-seal';
  const root = path.chain[path.chain.length - 1];
  const isPlatform = !!platformRoot && !!root && root.raw.equals(platformRoot);
  if (!isPlatform) return 'licensed-ca';
  return hasOneTimePolicy(leaf) ? 'platform-one-time' : 'platform';
};
