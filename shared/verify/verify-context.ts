import type { PDFDocument } from 'pdf-lib';
import type { CertificatePool } from './build-certificate-path.js';
import type { RevocationData } from './check-revocation.js';
import type { Modifications } from './find-modifications.js';
import type { SignatureEntry } from './read-signatures.js';

/** What every per-signature check of one verification shares. */
export interface VerifyContext {
  readonly bytes: Uint8Array;
  readonly doc: PDFDocument;
  readonly pool: CertificatePool;
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
