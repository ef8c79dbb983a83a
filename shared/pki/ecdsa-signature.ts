import * as asn1js from 'asn1js';
import { toArrayBuffer } from '../util/bytes.js';

/**
 * r||s (IEEE P1363, as WebCrypto and PKCS#11's CKM_ECDSA return ECDSA) to the DER
 * SEQUENCE { r INTEGER, s INTEGER } CMS stores. Used by the server (signatures from
 * outside) and by the local agent (tools/kyso-agent) for token signatures.
 */
export const p1363ToDer = (raw: Uint8Array): Uint8Array => {
  const half = raw.length / 2;
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return new asn1js.Integer({ valueHex: toArrayBuffer((v[0] ?? 0) & 0x80 ? Uint8Array.of(0, ...v) : v) });
  };
  return new Uint8Array(new asn1js.Sequence({ value: [int(raw.subarray(0, half)), int(raw.subarray(half))] }).toBER(false));
};
