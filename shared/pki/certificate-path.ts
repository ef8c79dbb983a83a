import { createPublicKey, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sha256Hex } from '../util/bytes.js';
import { parseCertificate } from './certificate.js';
import { OID } from './oids.js';

/**
 * Certificate path checks for certificates that come from outside (a signer's USB token, a
 * remote-signing CA, the CA that answered a seal CSR): build a path from the end-entity
 * certificate through the given intermediates to one of the trust anchors, and check each
 * link's signature, validity at `at`, and that every issuer is a CA allowed to sign
 * certificates. Signatures are checked with node:crypto, which reads DER ECDSA signatures
 * exactly as X.509 stores them.
 */
export class CertificatePathError extends Error {
  override readonly name = 'CertificatePathError';
}

export interface PathCheckInput {
  /** End-entity certificate, DER. */
  readonly certificate: Uint8Array;
  /** Intermediates (and possibly the root), DER, any order. */
  readonly intermediates: readonly Uint8Array[];
  /** Trusted roots (or any trusted CA), DER. */
  readonly anchors: readonly Uint8Array[];
  readonly at: Date;
}

export interface CheckedPath {
  /** End entity first, trust anchor last. */
  readonly path: readonly Uint8Array[];
}

const nameKey = (name: pkijs.RelativeDistinguishedNames) => sha256Hex(new Uint8Array(name.toSchema().toBER(false)));

const spkiOf = (cert: pkijs.Certificate): Uint8Array => new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));

export const publicKeyOf = (certificate: Uint8Array): Uint8Array => spkiOf(parseCertificate(certificate));

const extensionValue = (cert: pkijs.Certificate, oid: string): asn1js.AsnType | undefined => {
  const ext = cert.extensions?.find((e) => e.extnID === oid);
  if (!ext) return undefined;
  return asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result;
};

/** Key usage bits as a set of names (RFC 5280 4.2.1.3); undefined when the extension is absent. */
export const keyUsageOf = (certificate: Uint8Array | pkijs.Certificate): Set<string> | undefined => {
  const cert = certificate instanceof Uint8Array ? parseCertificate(certificate) : certificate;
  const value = extensionValue(cert, OID.keyUsage);
  if (!(value instanceof asn1js.BitString)) return undefined;
  const bytes = value.valueBlock.valueHexView;
  const names = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'];
  const out = new Set<string>();
  names.forEach((n, i) => {
    if (((bytes[Math.floor(i / 8)] ?? 0) >> (7 - (i % 8))) & 1) out.add(n);
  });
  return out;
};

const isCa = (cert: pkijs.Certificate): boolean => {
  const ext = cert.extensions?.find((e) => e.extnID === OID.basicConstraints);
  if (!ext) return false;
  const bc = new pkijs.BasicConstraints({ schema: asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result });
  return !!bc.cA;
};

const signedBy = (child: pkijs.Certificate, issuer: pkijs.Certificate): boolean => {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiOf(issuer)), format: 'der', type: 'spki' });
    const tbs = Buffer.from(child.tbsView);
    return verify('sha256', tbs, key, Buffer.from(child.signatureValue.valueBlock.valueHexView));
  } catch {
    return false;
  }
};

const within = (cert: pkijs.Certificate, at: Date) =>
  cert.notBefore.value.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.value.getTime();

export const subjectCn = (cert: pkijs.Certificate) =>
  String(cert.subject.typesAndValues.find((t) => t.type === OID.commonName)?.value.valueBlock.value ?? '?');

/**
 * Builds and checks a path to a trust anchor. Throws CertificatePathError saying what is
 * wrong (expired, not trusted, broken signature, issuer not a CA); only SHA-256 signatures
 * (ecdsa-with-SHA256, sha256WithRSAEncryption) are accepted.
 */
export const checkCertificatePath = (input: PathCheckInput): CheckedPath => {
  const leaf = parseCertificate(input.certificate);
  const pool = input.intermediates.map((der) => ({ der, cert: parseCertificate(der) }));
  const anchors = input.anchors.map((der) => ({ der, cert: parseCertificate(der) }));
  const path: Uint8Array[] = [input.certificate];
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    if (!within(current, input.at)) {
      throw new CertificatePathError(`certificate "${subjectCn(current)}" is not valid at ${input.at.toISOString()}`);
    }
    const alg = current.signatureAlgorithm.algorithmId;
    if (alg !== OID.ecdsaWithSha256 && alg !== OID.sha256WithRsa) {
      throw new CertificatePathError(`certificate "${subjectCn(current)}" is signed with unsupported algorithm ${alg}`);
    }
    const issuerKey = nameKey(current.issuer);
    const anchor = anchors.find((a) => nameKey(a.cert.subject) === issuerKey && signedBy(current, a.cert));
    if (anchor) {
      if (!within(anchor.cert, input.at)) throw new CertificatePathError(`trust anchor "${subjectCn(anchor.cert)}" has expired`);
      // The anchor may also have been sent in the chain: do not add it twice.
      if (!Buffer.from(path[path.length - 1] as Uint8Array).equals(Buffer.from(anchor.der))) path.push(anchor.der);
      return { path };
    }
    const next = pool.find((p) => nameKey(p.cert.subject) === issuerKey && p.cert !== current && signedBy(current, p.cert));
    if (!next) {
      const selfSigned = nameKey(current.subject) === issuerKey && signedBy(current, current);
      throw new CertificatePathError(
        selfSigned
          ? `certificate "${subjectCn(current)}" is self-signed and not in the trust list`
          : `no trusted issuer found for "${subjectCn(current)}" (chain incomplete or issued by an untrusted CA)`,
      );
    }
    if (!isCa(next.cert) || (keyUsageOf(next.cert) && !keyUsageOf(next.cert)?.has('keyCertSign'))) {
      throw new CertificatePathError(`"${subjectCn(next.cert)}" is not a CA allowed to issue certificates`);
    }
    path.push(next.der);
    current = next.cert;
  }
  throw new CertificatePathError('certificate path too long');
};

/** The certificate's subject common name, for audit trails and messages. */
export const commonNameOf = (certificate: Uint8Array): string => subjectCn(parseCertificate(certificate));
