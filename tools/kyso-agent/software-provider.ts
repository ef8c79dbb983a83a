import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as pkijs from 'pkijs';
import { orderChain, pemBlocks, spkiOfCertificate } from './chain.js';
import { type AgentKey, type KeyProvider, KeyProviderError } from './key-provider.js';
import type { AgentAlgorithm } from './protocol.js';

const OID_KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const OID_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const OID_CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const OID_X509_CERT = '1.2.840.113549.1.9.22.1';

const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** The certificate whose key is `key`'s, then its issuers. */
const chainForKey = (key: KeyObject, certificates: Uint8Array[]): Uint8Array[] => {
  const ownSpki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const leaf = certificates.find((c) => spkiOfCertificate(c).equals(ownSpki));
  if (!leaf) throw new KeyProviderError('no certificate matches the private key');
  return orderChain(leaf, certificates);
};

const algorithmOf = (key: KeyObject): AgentAlgorithm => {
  if (key.asymmetricKeyType === 'rsa') return 'RSASSA_PKCS1_V1_5_SHA_256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ECDSA_SHA_256';
  throw new KeyProviderError(
    `unsupported key (${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}): use RSA or EC P-256`,
  );
};

/**
 * A software key with its chain: what a PKCS#12 file or a PEM key + certificate pair holds.
 * The private key stays in this process's memory; it is never sent anywhere.
 */
export class SoftwareKeyProvider implements KeyProvider {
  private constructor(
    readonly kind: string,
    private readonly key: KeyObject,
    private readonly entry: AgentKey,
  ) {}

  static fromKeyAndCertificates(kind: string, key: KeyObject, certificates: Uint8Array[]): SoftwareKeyProvider {
    const chain = chainForKey(key, certificates);
    const id = createHash('sha256')
      .update(chain[0] as Uint8Array)
      .digest('hex');
    return new SoftwareKeyProvider(kind, key, { id, chain, algorithm: algorithmOf(key) });
  }

  async list(): Promise<readonly AgentKey[]> {
    return [this.entry];
  }

  async sign(keyId: string, data: Uint8Array): Promise<Uint8Array> {
    if (keyId !== this.entry.id) throw new KeyProviderError(`unknown certificate ${keyId}`);
    return new Uint8Array(sign('sha256', data, this.key));
  }
}

/** A PEM private key (PKCS#8 or traditional, optionally encrypted) and a PEM file with the certificate and its chain. */
export const pemProvider = async (keyFile: string, certFile: string, passphrase?: string): Promise<SoftwareKeyProvider> => {
  const key = createPrivateKey({ key: await readFile(keyFile, 'utf8'), ...(passphrase ? { passphrase } : {}) });
  const certificates = pemBlocks(await readFile(certFile, 'utf8'), /CERTIFICATE/);
  return SoftwareKeyProvider.fromKeyAndCertificates('pem', key, certificates);
};

/**
 * A PKCS#12 (.p12/.pfx) file, decrypted with pkijs: password-based PBES2 (what OpenSSL 3 and
 * current Windows export by default). Legacy RC2/3DES files are refused with a hint;
 * `openssl pkcs12 -in old.p12 -nodes` turns them into PEM for --key/--cert.
 */
export const pkcs12Provider = async (file: string, password: string): Promise<SoftwareKeyProvider> => {
  const der = new Uint8Array(await readFile(file));
  const pwd = ab(new TextEncoder().encode(password));
  let keyDer: Uint8Array | undefined;
  const certificates: Uint8Array[] = [];
  try {
    const pfx = pkijs.PFX.fromBER(ab(der));
    await pfx.parseInternalValues({ password: pwd, checkIntegrity: true });
    const safe = pfx.parsedValue?.authenticatedSafe;
    if (!safe) throw new Error('no authenticated safe');
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: pwd })) });
    for (const contents of safe.parsedValue?.safeContents ?? []) {
      for (const bag of contents.value.safeBags) {
        if (bag.bagId === OID_SHROUDED_KEY_BAG) {
          const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
          // protected in the typings, public in the implementation (it decrypts the PKCS#8 key).
          await (shrouded as unknown as { parseInternalValues(p: { password: ArrayBuffer }): Promise<void> }).parseInternalValues({
            password: pwd,
          });
          if (shrouded.parsedValue) keyDer = new Uint8Array(shrouded.parsedValue.toSchema().toBER(false));
        } else if (bag.bagId === OID_KEY_BAG) {
          keyDer = new Uint8Array((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false));
        } else if (bag.bagId === OID_CERT_BAG) {
          const certBag = bag.bagValue as pkijs.CertBag;
          if (certBag.certId === OID_X509_CERT && certBag.parsedValue instanceof pkijs.Certificate) {
            certificates.push(new Uint8Array(certBag.parsedValue.toSchema().toBER(false)));
          }
        }
      }
    }
  } catch (e) {
    const message = (e as Error).message;
    if (/1\.2\.840\.113549\.1\.12\.1\./.test(message)) {
      throw new KeyProviderError(
        `${file} uses legacy PKCS#12 encryption; convert it: openssl pkcs12 -legacy -in ${file} -nodes -out key-and-chain.pem, then --key/--cert`,
      );
    }
    throw new KeyProviderError(`cannot open ${file}: ${/integrity|MAC/i.test(message) ? 'wrong password' : message}`);
  }
  if (!keyDer) throw new KeyProviderError(`${file} holds no private key`);
  const key = createPrivateKey({ key: Buffer.from(keyDer), format: 'der', type: 'pkcs8' });
  return SoftwareKeyProvider.fromKeyAndCertificates('pkcs12', key, certificates);
};
