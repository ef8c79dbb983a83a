import type { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { toArrayBuffer, toHex } from '../util/bytes.js';
import type { RevocationReport } from './types.js';
import { verifyWithSpki } from './verify-signed-data.js';

/** Revocation data found in the file: DSS streams and CMS RevocationInfoChoices. */
export interface RevocationData {
  readonly dssCrls: readonly Uint8Array[];
  readonly cmsCrls: readonly Uint8Array[];
  readonly ocspResponses: number;
}

interface ParsedCrl {
  readonly crl: pkijs.CertificateRevocationList;
  readonly source: 'dss' | 'cms';
}

const parsed = new WeakMap<RevocationData, ParsedCrl[]>();
/** Which CRLs a given issuer certificate signed (keyed by its fingerprint), per verification. */
const signedBy = new WeakMap<ParsedCrl, Map<string, boolean>>();

const parseCrls = (data: RevocationData): ParsedCrl[] => {
  const cached = parsed.get(data);
  if (cached) return cached;
  const out: ParsedCrl[] = [];
  parsed.set(data, out);
  const add = (list: readonly Uint8Array[], source: 'dss' | 'cms') => {
    for (const der of list) {
      try {
        out.push({ crl: pkijs.CertificateRevocationList.fromBER(toArrayBuffer(der)), source });
      } catch {
        // unreadable CRLs are ignored; the certificate then has no revocation info
      }
    }
  };
  add(data.dssCrls, 'dss');
  add(data.cmsCrls, 'cms');
  return out;
};

const isSignedBy = (p: ParsedCrl, issuer: X509Certificate): boolean => {
  let byIssuer = signedBy.get(p);
  if (!byIssuer) signedBy.set(p, (byIssuer = new Map()));
  const known = byIssuer.get(issuer.fingerprint256);
  if (known !== undefined) return known;
  const issuerName = pkijs.Certificate.fromBER(toArrayBuffer(new Uint8Array(issuer.raw))).subject;
  const spki = new Uint8Array(issuer.publicKey.export({ format: 'der', type: 'spki' }));
  const { crl } = p;
  const ok =
    crl.issuer.isEqual(issuerName) &&
    verifyWithSpki(
      crl.signatureAlgorithm.algorithmId,
      crl.signatureAlgorithm.algorithmId,
      crl.tbsView,
      new Uint8Array(crl.signatureValue.valueBlock.valueHexView),
      spki,
    );
  byIssuer.set(issuer.fingerprint256, ok);
  return ok;
};

const serialOf = (c: X509Certificate) => c.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, '');
const hexOf = (b: ArrayBuffer | Uint8Array) => toHex(new Uint8Array(b)).replace(/^(00)+(?=.)/, '');

/**
 * For every certificate of the path below the trust anchor: a CRL from its issuer, with a
 * valid signature by the issuer's key, that does not list it as revoked before `at`.
 * OCSP responses are counted and reported but not evaluated.
 */
export const checkRevocation = (chain: readonly X509Certificate[], data: RevocationData, at: Date): RevocationReport => {
  const crls = parseCrls(data);
  const sources = new Set<'dss' | 'cms'>();
  let checked = 0;
  const base = { ocspResponses: data.ocspResponses };
  for (let i = 0; i < chain.length - 1; i++) {
    const cert = chain[i] as X509Certificate;
    const issuer = chain[i + 1] as X509Certificate;
    const issuerName = pkijs.Certificate.fromBER(toArrayBuffer(new Uint8Array(issuer.raw))).subject;
    const spki = new Uint8Array(issuer.publicKey.export({ format: 'der', type: 'spki' }));
    const usable = crls.filter(
      ({ crl }) =>
        crl.issuer.isEqual(issuerName) &&
        verifyWithSpki(
          crl.signatureAlgorithm.algorithmId,
          crl.signatureAlgorithm.algorithmId,
          crl.tbsView,
          new Uint8Array(crl.signatureValue.valueBlock.valueHexView),
          spki,
        ),
    );
    if (!usable.length) {
      const why = data.ocspResponses ? 'OCSP responses present but not checked; no usable CRL' : 'no CRL from its issuer in the file';
      return { ...base, status: 'unknown', source: 'none', crlsChecked: checked, detail: `${cert.subject.split('\n').pop()}: ${why}` };
    }
    checked += usable.length;
    for (const { crl, source } of usable) {
      sources.add(source);
      const entry = (crl.revokedCertificates ?? []).find((r) => hexOf(r.userCertificate.valueBlock.valueHexView) === serialOf(cert));
      if (entry && entry.revocationDate.value <= at) {
        return {
          ...base,
          status: 'revoked',
          source,
          crlsChecked: checked,
          detail: `${cert.subject.split('\n').pop()} revoked on ${entry.revocationDate.value.toISOString()}`,
        };
      }
    }
  }
  const source = sources.size > 1 ? 'mixed' : ([...sources][0] ?? 'none');
  return { ...base, status: 'good', source, crlsChecked: checked };
};
