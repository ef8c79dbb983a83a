import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer, toHex } from '../util/bytes.js';
import { digest, hashName, verifyWithSpki } from './verify-signed-data.js';

const BASIC_OCSP = '1.3.6.1.5.5.7.48.1.1';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

const parsed = new Map<string, pkijs.BasicOCSPResponse | null>();
export const clearOcspCache = (): void => parsed.clear();

const basicOf = (der: Uint8Array): pkijs.BasicOCSPResponse | null => {
  const key = toHex(digest('sha256', [der]));
  if (parsed.has(key)) return parsed.get(key) ?? null;
  let basic: pkijs.BasicOCSPResponse | null = null;
  try {
    const response = pkijs.OCSPResponse.fromBER(toArrayBuffer(der));
    const bytes = response.responseBytes;
    if (response.responseStatus.valueBlock.valueDec === 0 && bytes?.responseType === BASIC_OCSP) {
      basic = pkijs.BasicOCSPResponse.fromBER(toArrayBuffer(new Uint8Array(bytes.response.valueBlock.valueHexView)));
    }
  } catch {
    basic = null;
  }
  parsed.set(key, basic);
  return basic;
};

const strip = (hex: string) => hex.toLowerCase().replace(/^(00)+(?=.)/, '');
const spkiOf = (c: X509Certificate) => new Uint8Array(c.publicKey.export({ format: 'der', type: 'spki' }));

/** Signed by the issuer itself, or by a responder certificate the issuer gave the OCSPSigning EKU (RFC 6960 4.2.2.2). */
const isSignedByIssuerOrDelegate = (basic: pkijs.BasicOCSPResponse, issuer: X509Certificate): boolean => {
  const alg = basic.signatureAlgorithm.algorithmId;
  const tbs = basic.tbsResponseData.tbsView;
  const sig = new Uint8Array(basic.signature.valueBlock.valueHexView);
  if (verifyWithSpki(alg, alg, tbs, sig, spkiOf(issuer))) return true;
  return (basic.certs ?? []).some((c) => {
    try {
      const responder = new X509Certificate(Buffer.from(c.toSchema().toBER(false)));
      return (
        responder.checkIssued(issuer) &&
        responder.verify(issuer.publicKey) &&
        (responder.keyUsage ?? []).includes(OCSP_SIGNING) &&
        verifyWithSpki(alg, alg, tbs, sig, spkiOf(responder))
      );
    } catch {
      return false;
    }
  });
};

/**
 * The status of `cert` according to the OCSP responses found in the file: a response for its
 * serial and its issuer's key hash, signed by the issuer or its delegated responder.
 * undefined when no usable response speaks about this certificate.
 */
export const ocspStatus = (
  responses: readonly Uint8Array[],
  cert: X509Certificate,
  issuer: X509Certificate,
  at: Date,
): 'good' | 'revoked' | undefined => {
  const issuerKey = new Uint8Array(
    pkijs.Certificate.fromBER(toArrayBuffer(new Uint8Array(issuer.raw))).subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView,
  );
  let result: 'good' | 'revoked' | undefined;
  for (const der of responses) {
    const basic = basicOf(der);
    if (!basic) continue;
    for (const single of basic.tbsResponseData.responses) {
      const id = single.certID;
      const hash = hashName(id.hashAlgorithm.algorithmId);
      if (!hash || strip(toHex(new Uint8Array(id.serialNumber.valueBlock.valueHexView))) !== strip(cert.serialNumber)) continue;
      if (toHex(new Uint8Array(id.issuerKeyHash.valueBlock.valueHexView)) !== toHex(digest(hash, [issuerKey]))) continue;
      if (!isSignedByIssuerOrDelegate(basic, issuer)) continue;
      const status = single.certStatus as asn1js.BaseBlock;
      const tag = status.idBlock.tagNumber;
      if (tag === 1) {
        const time = (status as asn1js.Constructed).valueBlock.value?.[0];
        const when = time instanceof asn1js.GeneralizedTime ? time.toDate() : at;
        if (when <= at) return 'revoked';
        // revoked only after the time that matters (the trusted signing time): good at that time
        result = 'good';
      }
      if (tag === 0) result = 'good';
    }
  }
  return result;
};
