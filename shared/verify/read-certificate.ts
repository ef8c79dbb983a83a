import { type Ber, BerError, CONTEXT, oidOf, parseBer, readBer, SEQUENCE, sequence, stringOf, timeOf, UNIVERSAL } from './ber.js';

/** What verification reads from an X.509 certificate (RFC 5280 4.1), as slices of its DER. */
export interface CertificateFields {
  readonly der: Uint8Array;
  /** INTEGER content octets, as encoded. */
  readonly serial: Uint8Array;
  readonly issuer: Ber;
  readonly subject: Ber;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Uint8Array;
  readonly extensions: readonly { readonly oid: string; readonly critical: boolean; readonly value: Uint8Array }[];
}

const fields = new WeakMap<Uint8Array, CertificateFields>();

/** Reads a certificate; throws BerError when it does not have the X.509 shape. Memoised per byte array. */
export const readCertificate = (der: Uint8Array): CertificateFields => {
  const known = fields.get(der);
  if (known) return known;
  const top = parseBer(der);
  const [tbs, sigAlg, sigValue] = sequence(top, 'certificate');
  if (!sigAlg?.is(UNIVERSAL, SEQUENCE) || !sigValue?.is(UNIVERSAL, 3)) throw new BerError('certificate: no signature');
  const parts = sequence(tbs, 'TBSCertificate');
  let i = parts[0]?.is(CONTEXT, 0) ? 1 : 0;
  const serial = parts[i++];
  const algorithm = parts[i++];
  const issuer = parts[i++];
  const validity = sequence(parts[i++], 'validity');
  const subject = parts[i++];
  const spki = parts[i++];
  if (!serial?.is(UNIVERSAL, 2) || !algorithm?.is(UNIVERSAL, SEQUENCE) || !issuer?.is(UNIVERSAL, SEQUENCE)) {
    throw new BerError('certificate: malformed TBSCertificate');
  }
  if (!subject?.is(UNIVERSAL, SEQUENCE) || !spki?.is(UNIVERSAL, SEQUENCE)) throw new BerError('certificate: malformed TBSCertificate');
  const extensions: { oid: string; critical: boolean; value: Uint8Array }[] = [];
  for (const p of parts.slice(i)) {
    if (!p.is(CONTEXT, 3)) continue;
    for (const ext of sequence(p.children()[0], 'extensions')) {
      const [id, second, third] = sequence(ext, 'extension');
      const critical = !!second?.is(UNIVERSAL, 1) && second.content[0] !== 0;
      const value = (second?.is(UNIVERSAL, 1) ? third : second) as Ber | undefined;
      if (!value?.is(UNIVERSAL, 4)) throw new BerError('extension: no value');
      extensions.push({ oid: oidOf(id), critical, value: value.content });
    }
  }
  const out: CertificateFields = {
    der,
    serial: serial.content,
    issuer,
    subject,
    notBefore: timeOf(validity[0], 'notBefore'),
    notAfter: timeOf(validity[1], 'notAfter'),
    spki: spki.encoded,
    extensions,
  };
  fields.set(der, out);
  return out;
};

export interface NameAttribute {
  readonly type: string;
  readonly value: Ber;
  /** Decoded text for string types, else undefined. */
  readonly text: string | undefined;
}

/** Every attribute of a Name, RDN by RDN, in encoded order (multi-valued RDNs flattened). */
export const nameAttributes = (name: Ber): NameAttribute[] => {
  const out: NameAttribute[] = [];
  for (const rdn of name.children()) {
    for (const atv of rdn.children()) {
      const [type, value] = sequence(atv, 'attribute');
      if (!value) throw new BerError('attribute without value');
      out.push({ type: oidOf(type), value, text: stringOf(value) });
    }
  }
  return out;
};

/** RFC 4518-ish preparation as pkijs does it: trim, collapse spaces, lower case. */
const stringPrep = (s: string) => s.trim().replace(/ +/g, ' ').toLowerCase();

const bytesEqual = (a: Uint8Array, b: Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Name equality as pkijs judged it (issuer matching of CRLs and SignerInfos): attribute by attribute, strings prepared. */
export const namesEqual = (a: Ber, b: Ber): boolean => {
  if (bytesEqual(a.encoded, b.encoded)) return true;
  const x = nameAttributes(a);
  const y = nameAttributes(b);
  if (x.length !== y.length) return false;
  return x.every((p, i) => {
    const q = y[i] as NameAttribute;
    if (p.type !== q.type) return false;
    if ((p.text === undefined) !== (q.text === undefined)) return false;
    if (p.text !== undefined && q.text !== undefined) return stringPrep(p.text).localeCompare(stringPrep(q.text)) === 0;
    return bytesEqual(p.value.encoded, q.value.encoded);
  });
};

/** The subjectKeyIdentifier's key identifier octets, when the certificate has one. */
export const subjectKeyIdentifier = (c: CertificateFields): Uint8Array | undefined => {
  const ext = c.extensions.find((e) => e.oid === '2.5.29.14');
  if (!ext) return undefined;
  const id = readBer(ext.value, 0);
  return id.is(UNIVERSAL, 4) ? id.content : undefined;
};
