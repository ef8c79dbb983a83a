import type { X509Certificate } from 'node:crypto';
import { sha256Hex, toHex } from '../util/bytes.js';
import { ocspStatus } from './check-ocsp.js';
import { type CertificateFields, namesEqual, readCertificate } from './read-certificate.js';
import { type CrlFields, readCrl } from './read-cms.js';
import type { RevocationReport } from './types.js';
import { verifyWithSpki } from './verify-signed-data.js';

/** Revocation data found in the file: DSS streams and CMS RevocationInfoChoices. */
export interface RevocationData {
  readonly dssCrls: readonly Uint8Array[];
  readonly cmsCrls: readonly Uint8Array[];
  /** Fetched from the certificates' CRL distribution points (only when enabled). */
  readonly onlineCrls?: readonly Uint8Array[];
  /** OCSP responses (DER OCSPResponse) from the DSS, and from the CMS (Adobe revocation archival attribute). */
  readonly dssOcsps: readonly Uint8Array[];
  readonly cmsOcsps: readonly Uint8Array[];
}

interface ParsedCrl {
  readonly crl: CrlFields;
  readonly source: 'dss' | 'cms' | 'online';
  /** SHA-256 of the CRL's DER. */
  readonly id: string;
}

const parsed = new WeakMap<RevocationData, ParsedCrl[]>();
/** Which CRLs a given issuer certificate signed (keyed by its fingerprint), per verification. */
const signedBy = new WeakMap<ParsedCrl, Map<string, boolean>>();

const parseCrls = (data: RevocationData): ParsedCrl[] => {
  const cached = parsed.get(data);
  if (cached) return cached;
  const out: ParsedCrl[] = [];
  parsed.set(data, out);
  const add = (list: readonly Uint8Array[], source: ParsedCrl['source']) => {
    for (const der of list) {
      try {
        out.push({ crl: readCrl(der), source, id: sha256Hex(der) });
      } catch {
        // unreadable CRLs are ignored; the certificate then has no revocation info
      }
    }
  };
  add(data.dssCrls, 'dss');
  add(data.cmsCrls, 'cms');
  add(data.onlineCrls ?? [], 'online');
  return out;
};

const isSignedBy = (p: ParsedCrl, issuer: X509Certificate): boolean => {
  let byIssuer = signedBy.get(p);
  if (!byIssuer) {
    byIssuer = new Map();
    signedBy.set(p, byIssuer);
  }
  const fingerprint = issuer.fingerprint256;
  const known = byIssuer.get(fingerprint);
  if (known !== undefined) return known;
  const fields = fieldsOf(issuer);
  const { crl } = p;
  let ok = namesEqual(crl.issuer, fields.subject);
  if (ok) {
    const key = `${p.id}/${fingerprint}`;
    const signed = crlSignatures.get(key);
    ok = signed ?? verifyWithSpki(crl.signatureAlgorithm, crl.signatureAlgorithm, crl.tbs, crl.signature, fields.spki);
    if (signed === undefined) {
      if (crlSignatures.size >= 1024) crlSignatures.clear();
      crlSignatures.set(key, ok);
    }
  }
  byIssuer.set(fingerprint, ok);
  return ok;
};

/**
 * A CRL's signature by an issuer's key, per process (bounded), like the CA-to-CA checks in
 * build-certificate-path.ts: the same CRL of a CA is embedded in every document sealed while
 * it was current. Keyed by the CRL's bytes and the issuer certificate's, so it is a fact about
 * those bytes only; what the CRL says about a certificate is judged on every verification.
 */
const crlSignatures = new Map<string, boolean>();
/** An issuer's fields, per certificate object (X509Certificate#raw is a new copy on every read). */
const issuerFields = new WeakMap<X509Certificate, CertificateFields>();
const fieldsOf = (c: X509Certificate): CertificateFields => {
  let f = issuerFields.get(c);
  if (!f) {
    f = readCertificate(new Uint8Array(c.raw));
    issuerFields.set(c, f);
  }
  return f;
};

const serialOf = (c: X509Certificate) => c.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, '');
const hexOf = (b: Uint8Array) => toHex(b).replace(/^(00)+(?=.)/, '');

/**
 * For every certificate of the path below the trust anchor: a CRL from its issuer, with a
 * valid signature by the issuer's key, that does not list it as revoked before `at`, or else
 * an OCSP response for it signed by the issuer (or its delegated responder).
 */
export const checkRevocation = (chain: readonly X509Certificate[], data: RevocationData, at: Date): RevocationReport => {
  const crls = parseCrls(data);
  const ocsps = [...data.dssOcsps, ...data.cmsOcsps];
  const sources = new Set<ParsedCrl['source']>();
  let checked = 0;
  let ocspChecked = 0;
  const base = { ocspResponses: ocsps.length };
  const report = (r: Omit<RevocationReport, 'ocspResponses' | 'crlsChecked' | 'ocspChecked'>): RevocationReport => ({
    ...base,
    ...r,
    crlsChecked: checked,
    ocspChecked,
  });
  for (let i = 0; i < chain.length - 1; i++) {
    const cert = chain[i] as X509Certificate;
    const issuer = chain[i + 1] as X509Certificate;
    const name = cert.subject.split('\n').pop();
    const usable = crls.filter((p) => isSignedBy(p, issuer));
    if (!usable.length) {
      const status = ocsps.length ? ocspStatus(ocsps, cert, issuer, at) : undefined;
      if (status === 'revoked') return report({ status: 'revoked', source: 'ocsp', detail: `${name}: revoked (OCSP)` });
      if (status === 'good') {
        ocspChecked++;
        sources.add(data.dssOcsps.length ? 'dss' : 'cms');
        continue;
      }
      return report({ status: 'unknown', source: 'none', detail: `${name}: no CRL or OCSP response from its issuer in the file` });
    }
    checked += usable.length;
    for (const { crl, source } of usable) {
      sources.add(source);
      const entry = crl.revoked.find((r) => hexOf(r.serial) === serialOf(cert));
      if (entry && entry.date <= at) {
        return report({ status: 'revoked', source, detail: `${name} revoked on ${entry.date.toISOString()}` });
      }
    }
  }
  return report({ status: 'good', source: sources.size > 1 ? 'mixed' : ([...sources][0] ?? 'none') });
};
