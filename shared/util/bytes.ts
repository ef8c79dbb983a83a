import { createHash, randomBytes } from 'node:crypto';

export const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

export const toHex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

export const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

/** An ArrayBuffer holding exactly these bytes (pkijs/asn1js want ArrayBuffers, not views). */
export const toArrayBuffer = (data: Uint8Array): ArrayBuffer =>
  data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;

export const concatBytes = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** URL-safe random identifier; `bytes` of entropy (16 = 128 bits). */
export const randomId = (bytes = 16): string => randomBytes(bytes).toString('base64url');

export const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** Whether two byte arrays hold the same bytes. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
