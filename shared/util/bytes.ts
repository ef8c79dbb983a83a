import { createHash, type Hash, randomBytes } from 'node:crypto';

export const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

/**
 * SHA-256 states after every byte of arrays this process finished writing and will not change
 * (a signed revision: shared/pdf/signature-placeholder.ts), weakly keyed by the array. A revision
 * appended to such an array takes the state up instead of hashing the file again, and sha256Hex of
 * it (the revision's content address, the document cache's check) costs a copy and a final block.
 */
const finishedStates = new WeakMap<Uint8Array, Hash>();

/** Records the hash state after all of `bytes` (which nobody writes to from now on). */
export const rememberSha256State = (bytes: Uint8Array, state: Hash): void => {
  finishedStates.set(bytes, state);
};

/** A copy of the hash state after all of `bytes`, if this process recorded one. */
export const sha256StateOf = (bytes: Uint8Array): Hash | undefined => finishedStates.get(bytes)?.copy();

/**
 * sha256Hex of bytes just read from outside that nobody will write to (a revision fetched from S3,
 * as the document cache hands it out), recording the state as it goes: a revision appended to them
 * then hashes only what it adds, so a fetched file is hashed once, not once to check it and again to sign.
 */
export const sha256HexOfFetched = (bytes: Uint8Array): string => {
  const known = sha256StateOf(bytes);
  if (known) return known.digest('hex');
  const state = createHash('sha256').update(bytes);
  rememberSha256State(bytes, state.copy());
  return state.digest('hex');
};

export const sha256Hex = (data: Uint8Array | string): string =>
  (typeof data !== 'string' && sha256StateOf(data)?.digest('hex')) || createHash('sha256').update(data).digest('hex');

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
