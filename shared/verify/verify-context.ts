import { createHash } from 'node:crypto';
import type { PDFDocument } from 'pdf-lib';
import type { CertificatePool } from './build-certificate-path.js';
import type { RevocationData } from './check-revocation.js';
import type { Modifications } from './find-modifications.js';
import type { RangeDigests } from './range-digests.js';
import type { SignatureEntry } from './read-signatures.js';

/** What every per-signature check of one verification shares. */
export interface VerifyContext {
  readonly bytes: Uint8Array;
  readonly doc: PDFDocument;
  readonly pool: CertificatePool;
  /** Digests of the signed byte ranges, the file hashed once (range-digests.ts). */
  readonly digests: RangeDigests;
  readonly revocation: RevocationData;
  readonly now: Date;
  /** The platform root, to tell Kyso's own certificates from other trusted CAs' (signature tier). */
  readonly platformRoot?: Uint8Array;
  /** Changes made after the revision ending at `end` (cached per revision). */
  modificationsAfter(end: number): Promise<Modifications>;
  /** Whether the revision ending at `end` has a DSS. */
  hasDssAt(end: number): Promise<boolean>;
}

/** The signed bytes of a signature: the two ByteRange parts. */
export const signedParts = (bytes: Uint8Array, entry: SignatureEntry): Uint8Array[] => {
  const [a = 0, b = 0, c = 0, d = 0] = entry.byteRange;
  return [bytes.subarray(a, a + b), bytes.subarray(c, c + d)];
};

/**
 * The signed content of a signature and its digest by algorithm name: from the shared running
 * hashes when the ByteRange is well formed, else over nothing (the check then fails).
 */
export const signedContent = (ctx: VerifyContext, entry: SignatureEntry, wellFormed: boolean) => {
  const [a = 0, b = 0, c = 0, d = 0] = entry.byteRange;
  const parts = wellFormed ? signedParts(ctx.bytes, entry) : [];
  return {
    parts,
    digest: (hash: string): Uint8Array => (wellFormed ? ctx.digests.of(hash, [a, b, c, d]) : digestOf(hash, parts)),
  };
};

const digestOf = (hash: string, parts: readonly Uint8Array[]): Uint8Array => {
  const h = createHash(hash);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
