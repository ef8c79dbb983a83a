import {
  type Ber,
  BerError,
  bitStringBytes,
  CONTEXT,
  expect,
  octets,
  oidOf,
  parseBer,
  SEQUENCE,
  SET,
  sequence,
  timeOf,
  UNIVERSAL,
} from './ber.js';
import { readCertificate } from './read-certificate.js';

/** A CMS attribute (RFC 5652 5.3): its type and the elements of its SET OF values. */
export interface CmsAttribute {
  readonly type: string;
  readonly values: readonly Ber[];
}

export interface CmsSignerInfo {
  readonly sid: { readonly issuer: Ber; readonly serial: Uint8Array } | { readonly keyId: Uint8Array };
  readonly digestAlgorithm: string;
  /** The signed attributes as encoded ([0] IMPLICIT; the signature is over them re-tagged as SET OF). */
  readonly signedAttrs?: { readonly encoded: Uint8Array; readonly attributes: readonly CmsAttribute[] };
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
  readonly unsignedAttrs: readonly CmsAttribute[];
}

export interface CmsSignedData {
  readonly eContentType: string;
  readonly eContent?: Uint8Array;
  /** Every X.509 certificate of the CertificateSet, DER (other certificate formats are skipped). */
  readonly certificates: readonly Uint8Array[];
  /** Every X.509 CRL of the RevocationInfoChoices, DER. */
  readonly crls: readonly Uint8Array[];
  readonly signerInfos: readonly CmsSignerInfo[];
}

const attributes = (set: Ber): CmsAttribute[] =>
  set.children().map((a) => {
    const [type, values] = sequence(a, 'attribute');
    return { type: oidOf(type), values: expect(values, UNIVERSAL, SET, 'attribute values').children() };
  });

const algorithm = (b: Ber | undefined, what: string) => oidOf(sequence(b, what)[0], what);

const signerInfo = (b: Ber): CmsSignerInfo => {
  const parts = sequence(b, 'SignerInfo');
  const [, sidBlock, digestAlg] = parts;
  let i = 3;
  const signed = parts[i]?.is(CONTEXT, 0) ? parts[i++] : undefined;
  const signatureAlg = parts[i++];
  const signature = expect(parts[i++], UNIVERSAL, 4, 'signature');
  const unsigned = parts[i]?.is(CONTEXT, 1) ? parts[i] : undefined;
  let sid: CmsSignerInfo['sid'];
  if (sidBlock?.is(UNIVERSAL, SEQUENCE)) {
    const [issuer, serial] = sidBlock.children();
    sid = { issuer: expect(issuer, UNIVERSAL, SEQUENCE, 'sid issuer'), serial: expect(serial, UNIVERSAL, 2, 'sid serial').content };
  } else if (sidBlock?.is(CONTEXT, 0)) sid = { keyId: octets(sidBlock, 'sid key identifier') };
  else throw new BerError('SignerInfo: malformed sid');
  return {
    sid,
    digestAlgorithm: algorithm(digestAlg, 'digestAlgorithm'),
    ...(signed ? { signedAttrs: { encoded: signed.encoded, attributes: attributes(signed) } } : {}),
    signatureAlgorithm: algorithm(signatureAlg, 'signatureAlgorithm'),
    signature: octets(signature, 'signature'),
    unsignedAttrs: unsigned ? attributes(unsigned) : [],
  };
};

/** Every constructed element must hold well-formed elements (asn1js read the whole tree; a damaged token deep inside made the CMS unreadable). */
const checkNesting = (b: Ber, depth: number): void => {
  if (!b.constructed) return;
  if (depth > 64) throw new BerError('nesting too deep');
  for (const c of b.children()) checkNesting(c, depth + 1);
};

const parsed = new WeakMap<Uint8Array, CmsSignedData>();

/**
 * Reads a ContentInfo holding a SignedData (a PAdES signature or an RFC 3161 token). Throws
 * BerError for anything that is not one; every certificate and CRL is checked for shape, as
 * pkijs did. Memoised per byte array (one verification reads a token several times).
 */
export const readSignedData = (cms: Uint8Array): CmsSignedData => {
  const known = parsed.get(cms);
  if (known) return known;
  const top = parseBer(cms);
  checkNesting(top, 0);
  const [contentType, content] = sequence(top, 'ContentInfo');
  oidOf(contentType, 'contentType');
  const body = expect(content, CONTEXT, 0, 'ContentInfo content').children()[0];
  const parts = sequence(body, 'SignedData');
  expect(parts[0], UNIVERSAL, 2, 'SignedData version');
  expect(parts[1], UNIVERSAL, SET, 'digestAlgorithms');
  const [eType, eContent] = sequence(parts[2], 'encapContentInfo');
  let i = 3;
  const certs = parts[i]?.is(CONTEXT, 0) ? parts[i++] : undefined;
  const crls = parts[i]?.is(CONTEXT, 1) ? parts[i++] : undefined;
  const infos = expect(parts[i], UNIVERSAL, SET, 'signerInfos');
  const certificates = (certs?.children() ?? []).filter((c) => c.is(UNIVERSAL, SEQUENCE)).map((c) => c.encoded);
  for (const c of certificates) readCertificate(c);
  const crlList = (crls?.children() ?? []).filter((c) => c.is(UNIVERSAL, SEQUENCE)).map((c) => c.encoded);
  for (const c of crlList) readCrl(c);
  const out: CmsSignedData = {
    eContentType: oidOf(eType, 'eContentType'),
    ...(eContent ? { eContent: octets(expect(eContent, CONTEXT, 0, 'eContent').children()[0], 'eContent') } : {}),
    certificates,
    crls: crlList,
    signerInfos: infos.children().map(signerInfo),
  };
  parsed.set(cms, out);
  return out;
};

/** What verification reads from an X.509 CRL (RFC 5280 5.1). */
export interface CrlFields {
  readonly issuer: Ber;
  /** TBSCertList as encoded: what the signature is over. */
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
  readonly revoked: readonly { readonly serial: Uint8Array; readonly date: Date }[];
}

export const readCrl = (der: Uint8Array): CrlFields => {
  const [tbs, alg, value] = sequence(parseBer(der), 'CRL');
  const parts = sequence(tbs, 'TBSCertList');
  let i = parts[0]?.is(UNIVERSAL, 2) ? 1 : 0;
  expect(parts[i++], UNIVERSAL, SEQUENCE, 'CRL signature algorithm');
  const issuer = expect(parts[i++], UNIVERSAL, SEQUENCE, 'CRL issuer');
  timeOf(parts[i++], 'thisUpdate');
  if (parts[i] && (parts[i]?.is(UNIVERSAL, 23) || parts[i]?.is(UNIVERSAL, 24))) i++;
  const list = parts[i]?.is(UNIVERSAL, SEQUENCE) ? parts[i] : undefined;
  const revoked = (list?.children() ?? []).map((entry) => {
    const [serial, date] = sequence(entry, 'revoked certificate');
    return { serial: expect(serial, UNIVERSAL, 2, 'revoked serial').content, date: timeOf(date, 'revocationDate') };
  });
  return {
    issuer,
    tbs: (tbs as Ber).encoded,
    signatureAlgorithm: algorithm(alg, 'CRL algorithm'),
    signature: bitStringBytes(value, 'CRL signature'),
    revoked,
  };
};
