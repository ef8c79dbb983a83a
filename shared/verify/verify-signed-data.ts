import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { UNIVERSAL } from './ber.js';
import { namesEqual, readCertificate, subjectKeyIdentifier } from './read-certificate.js';
import { type CmsSignedData, type CmsSignerInfo, readSignedData } from './read-cms.js';

/** Digest algorithms a signature may name; anything else is reported as unsupported. */
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** Signature algorithms that fix their own hash (ECDSA and RSA PKCS#1 v1.5). */
const SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
};
/** Key algorithms named as "signature algorithm" (the hash then comes from digestAlgorithm). */
const BARE_KEY_ALGORITHMS = new Set(['1.2.840.113549.1.1.1', '1.2.840.10045.2.1']);

export const hashName = (oid: string): string | undefined => HASHES[oid];
export const digest = (name: string, parts: readonly Uint8Array[]): Uint8Array => {
  const h = createHash(name);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/**
 * Checks a signature value with node:crypto against a SubjectPublicKeyInfo: ECDSA (DER
 * signature) or RSA PKCS#1 v1.5. RSASSA-PSS is not accepted (we never produce it).
 */
export const verifyWithSpki = (
  algorithmOid: string,
  digestOid: string,
  data: Uint8Array,
  signature: Uint8Array,
  spki: Uint8Array,
): boolean => {
  const hash = SIGNATURE_HASHES[algorithmOid] ?? (BARE_KEY_ALGORITHMS.has(algorithmOid) ? HASHES[digestOid] : undefined);
  if (!hash) return false;
  try {
    return verify(hash, data, publicKeyOf(spki), signature);
  } catch {
    return false;
  }
};

/**
 * Public keys by SubjectPublicKeyInfo, for one verification (verifyPdf clears it): the TSA's
 * key checks every signature timestamp, an issuer's key every CRL it signed.
 */
const keys = new Map<string, KeyObject>();
const publicKeyOf = (spki: Uint8Array): KeyObject => {
  const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
  let key = keys.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (keys.size >= 256) keys.clear();
    keys.set(id, key);
  }
  return key;
};

/** Clears the per-verification public keys (parses are memoised per byte array). */
export const clearSignedDataCache = (): void => keys.clear();

export const signedDataOf = (cms: Uint8Array): CmsSignedData => readSignedData(cms);

export interface SignedDataCheck {
  readonly signedData: CmsSignedData;
  readonly signerInfo: CmsSignerInfo;
  /** Every certificate carried in the CMS, DER. */
  readonly certificates: readonly Uint8Array[];
  /** CRLs carried in the CMS (RevocationInfoChoices), DER. */
  readonly crls: readonly Uint8Array[];
  readonly signerCertificate?: Uint8Array;
  readonly digestAlgorithm?: string;
  /** message-digest attribute equals the hash of the content. */
  readonly digestMatches: boolean;
  readonly signatureValid: boolean;
  /** The signature value octets (what a signature timestamp is over). */
  readonly signatureValue: Uint8Array;
  readonly problem?: string;
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** The certificate the SignerInfo names (issuer + serial, or subject key identifier). */
const findSigner = (si: CmsSignerInfo, certs: readonly Uint8Array[]): Uint8Array | undefined => {
  const sid = si.sid;
  return certs.find((der) => {
    const c = readCertificate(der);
    if ('issuer' in sid) return bytesEqual(c.serial, sid.serial) && namesEqual(c.issuer, sid.issuer);
    const ski = subjectKeyIdentifier(c);
    return !!ski && bytesEqual(ski, sid.keyId);
  });
};

/**
 * Parses a CMS SignedData (detached PAdES signature or a timestamp token) and checks its
 * first SignerInfo: the message-digest attribute against `contentParts` (hashed with the
 * SignerInfo's digest algorithm) and the signature over the DER SET OF signed attributes.
 */
export const verifySignedData = (
  cms: Uint8Array,
  contentParts: readonly Uint8Array[],
  /** The content's digest by hash name when the caller has it (verify-context.ts: the file hashed once). */
  contentDigest: (hash: string) => Uint8Array = (hash) => digest(hash, contentParts),
): SignedDataCheck => {
  const signedData = readSignedData(cms);
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo) throw new Error('the CMS has no SignerInfo');
  const { certificates, crls } = signedData;
  const signatureValue = signerInfo.signature;
  const base = { signedData, signerInfo, certificates, crls, signatureValue };
  const signerCertificate = findSigner(signerInfo, certificates);
  const withSigner = { ...base, ...(signerCertificate ? { signerCertificate } : {}) };
  const digestOid = signerInfo.digestAlgorithm;
  const hash = HASHES[digestOid];
  if (!hash) return { ...withSigner, digestMatches: false, signatureValid: false, problem: `unsupported digest algorithm ${digestOid}` };
  const content = contentDigest(hash);
  const attrs = signerInfo.signedAttrs;
  const md = attrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.4')?.values[0];
  const digestMatches = !!md?.is(UNIVERSAL, 4) && !md.constructed && bytesEqual(md.content, content);
  if (!signerCertificate)
    return { ...withSigner, digestAlgorithm: hash, digestMatches, signatureValid: false, problem: 'signer certificate not in the CMS' };
  // The signature is over the signed attributes re-tagged as SET OF (0x31), or over the content when there are none.
  let signed: Uint8Array;
  if (attrs) {
    signed = Uint8Array.from(attrs.encoded);
    signed[0] = 0x31;
  } else {
    signed = Buffer.concat(contentParts);
  }
  const spki = readCertificate(signerCertificate).spki;
  const signatureValid = verifyWithSpki(signerInfo.signatureAlgorithm, digestOid, signed, signatureValue, spki);
  return { ...withSigner, digestAlgorithm: hash, digestMatches: attrs ? digestMatches : signatureValid, signatureValid };
};
