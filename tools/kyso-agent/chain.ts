import * as pkijs from 'pkijs';

const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** The DER contents of PEM blocks whose label matches (CERTIFICATE, PRIVATE KEY, ...). */
export const pemBlocks = (pem: string, label: RegExp): Uint8Array[] =>
  [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)]
    .filter((m) => label.test(m[1] ?? ''))
    .map((m) => new Uint8Array(Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64')));

/** The DER SubjectPublicKeyInfo of a certificate. */
export const spkiOfCertificate = (der: Uint8Array): Buffer =>
  Buffer.from(pkijs.Certificate.fromBER(ab(der)).subjectPublicKeyInfo.toSchema().toBER(false));

/**
 * The chain of `leaf` from the certificates at hand: the leaf first, then each issuer after
 * its child (matched by name), up to a self-signed root or the first missing issuer.
 */
export const orderChain = (leaf: Uint8Array, certificates: readonly Uint8Array[]): Uint8Array[] => {
  const parsed = certificates.map((der) => ({ der, cert: pkijs.Certificate.fromBER(ab(der)) }));
  const chain = [leaf];
  let current = pkijs.Certificate.fromBER(ab(leaf));
  for (let i = 0; i < 8; i++) {
    const issuer = Buffer.from(current.issuer.toSchema().toBER(false));
    if (issuer.equals(Buffer.from(current.subject.toSchema().toBER(false)))) break;
    const next = parsed.find(
      (p) => Buffer.from(p.cert.subject.toSchema().toBER(false)).equals(issuer) && !chain.some((c) => Buffer.from(c).equals(p.der)),
    );
    if (!next) break;
    chain.push(next.der);
    current = next.cert;
  }
  return chain;
};
