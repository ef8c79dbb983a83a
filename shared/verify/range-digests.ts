import { createHash, type Hash } from 'node:crypto';

/**
 * Digests of a file's signed byte ranges, each byte hashed once per algorithm (issue 16).
 * Every ByteRange starts at 0: [0, a) + [b, b + c). One running hash per algorithm moves
 * forward through the file; a range whose `a` it has not passed is served by copying the
 * running state at `a` and adding [b, b + c) (a revision's tail after its /Contents, small).
 * Signatures are checked in file order, so a 10-signature file is hashed about once instead
 * of ten times. A range that starts behind the running hash is hashed directly.
 */
export interface RangeDigests {
  /** The digest of bytes [0, a) + [b, b + c). */
  of(hash: string, range: readonly [number, number, number, number]): Uint8Array;
  /** The digest of the whole file (the report's sha256), finishing the running hash. */
  whole(hash: string): Uint8Array;
}

export const createRangeDigests = (bytes: Uint8Array): RangeDigests => {
  const running = new Map<string, { hash: Hash; at: number }>();
  const advance = (name: string, to: number) => {
    let r = running.get(name);
    if (!r) {
      r = { hash: createHash(name), at: 0 };
      running.set(name, r);
    }
    if (r.at > to) return undefined;
    if (to > r.at) r.hash.update(bytes.subarray(r.at, to));
    r.at = to;
    return r;
  };
  return {
    of(name, [start, a, b, c]) {
      const r = start === 0 ? advance(name, a) : undefined;
      const h = r ? r.hash.copy() : createHash(name).update(bytes.subarray(start, start + a));
      return new Uint8Array(h.update(bytes.subarray(b, b + c)).digest());
    },
    whole(name) {
      const r = advance(name, bytes.length);
      const h = r ? r.hash.copy() : createHash(name).update(bytes);
      return new Uint8Array(h.digest());
    },
  };
};
