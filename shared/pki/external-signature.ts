import { createPublicKey, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../errors.js';
import { toArrayBuffer } from '../util/bytes.js';
import { parseCertificate } from './certificate.js';
import { CertificatePathError, checkCertificatePath, keyUsageOf, publicKeyOf } from './certificate-path.js';
import { p1363ToDer } from './ecdsa-signature.js';
import type { SignatureAlgorithm } from './key-signer.js';
import { OID } from './oids.js';

/**
 * Signatures made outside Kyso (a USB token through the local agent, a remote-signing CA):
 * the server pinned the signed attributes, someone else's key signed them, and nothing is
 * embedded unless that signature verifies against the pinned bytes and a certificate we
 * accept. Invariant: what is embedded is exactly what was pinned at prepare.
 */

const P256 = '1.2.840.10045.3.1.7';

/** The algorithm a certificate's key signs with here: ECDSA P-256 or RSA PKCS#1 v1.5, both over SHA-256. */
export const signatureAlgorithmFor = (certificate: Uint8Array): SignatureAlgorithm => {
  const spki = parseCertificate(certificate).subjectPublicKeyInfo;
  const alg = spki.algorithm.algorithmId;
  if (alg === OID.rsaEncryption) return 'RSASSA_PKCS1_V1_5_SHA_256';
  if (alg === OID.ecPublicKey) {
    const curve =
      spki.algorithm.algorithmParams instanceof asn1js.ObjectIdentifier ? spki.algorithm.algorithmParams.valueBlock.toString() : '';
    if (curve === P256) return 'ECDSA_SHA_256';
    throw new AppError(
      'certificate_rejected',
      `The certificate's elliptic curve (${curve || 'unknown'}) is not supported; use P-256 or RSA.`,
    );
  }
  throw new AppError('certificate_rejected', `The certificate's key type (${alg}) is not supported; use P-256 or RSA.`);
};

export interface SigningCertificateCheck {
  readonly certificate: Uint8Array;
  readonly chain: readonly Uint8Array[];
  readonly trustAnchors: readonly Uint8Array[];
  /** The claimed signing time (/M): the certificate must be valid then. */
  readonly at: Date;
}

/**
 * A certificate may sign documents here if it is an end-entity certificate whose key usage
 * allows digitalSignature or nonRepudiation and it chains to the trust list at `at`.
 * Returns the path (end entity first, anchor last) for embedding in the CMS.
 */
export const checkSigningCertificate = (input: SigningCertificateCheck): readonly Uint8Array[] => {
  let cert: pkijs.Certificate;
  try {
    cert = parseCertificate(input.certificate);
  } catch {
    throw new AppError('certificate_rejected', 'The signing certificate is not a DER X.509 certificate.');
  }
  const ku = keyUsageOf(cert);
  if (ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation')) {
    throw new AppError('certificate_rejected', 'The certificate is not for signing (key usage lacks digitalSignature and nonRepudiation).');
  }
  const bc = cert.extensions?.find((e) => e.extnID === OID.basicConstraints);
  if (bc && new pkijs.BasicConstraints({ schema: asn1js.fromBER(bc.extnValue.valueBlock.valueHexView).result }).cA) {
    throw new AppError('certificate_rejected', 'A CA certificate cannot sign documents.');
  }
  signatureAlgorithmFor(input.certificate);
  try {
    return checkCertificatePath({
      certificate: input.certificate,
      intermediates: input.chain,
      anchors: input.trustAnchors,
      at: input.at,
    }).path;
  } catch (e) {
    if (e instanceof CertificatePathError) throw new AppError('certificate_rejected', `The certificate was rejected: ${e.message}.`);
    throw e;
  }
};

/**
 * Verifies `signature` over `signedData` (the DER signed attributes, SET OF) with the
 * certificate's key; returns the value in the form CMS stores (ECDSA as DER). ECDSA
 * signatures may come DER-encoded or as raw r||s.
 */
export const verifySignatureValue = (certificate: Uint8Array, signedData: Uint8Array, signature: Uint8Array): Uint8Array => {
  const algorithm = signatureAlgorithmFor(certificate);
  const key = createPublicKey({ key: Buffer.from(publicKeyOf(certificate)), format: 'der', type: 'spki' });
  const candidates = algorithm === 'ECDSA_SHA_256' && signature.length === 64 ? [p1363ToDer(signature), signature] : [signature];
  for (const candidate of candidates) {
    try {
      if (verify('sha256', Buffer.from(signedData), key, Buffer.from(candidate))) return candidate;
    } catch {
      // malformed signature: try the next encoding, then reject
    }
  }
  throw new AppError('signature_invalid', 'The signature does not verify against the prepared document and the given certificate.');
};

export interface CmsParts {
  readonly signatureValue: Uint8Array;
  /** Signed attributes re-tagged as SET OF, the bytes the signature covers. */
  readonly signedAttributes: Uint8Array;
  readonly certificates: readonly Uint8Array[];
}

/** Takes apart a full CMS SignedData returned by a signer's tool: its one SignerInfo's signature and signed attributes. */
export const partsOfCms = (cms: Uint8Array): CmsParts => {
  try {
    const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(cms));
    if (ci.contentType !== OID.signedData) throw new Error('not SignedData');
    const sd = new pkijs.SignedData({ schema: ci.content });
    const [signer, ...more] = sd.signerInfos;
    if (!signer || more.length) throw new Error('exactly one SignerInfo expected');
    if (!signer.signedAttrs) throw new Error('no signed attributes');
    const attrs = new Uint8Array(signer.signedAttrs.toSchema().toBER(false));
    attrs[0] = 0x31;
    return {
      signatureValue: new Uint8Array(signer.signature.valueBlock.valueHexView),
      signedAttributes: attrs,
      certificates: (sd.certificates ?? [])
        .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
        .map((c) => new Uint8Array(c.toSchema().toBER(false))),
    };
  } catch (e) {
    throw new AppError('signature_invalid', `The CMS could not be read: ${(e as Error).message}.`);
  }
};
