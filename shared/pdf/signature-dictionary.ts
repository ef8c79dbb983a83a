import { type PDFContext, type PDFDict, PDFHexString, PDFName, type PDFRef, PDFString } from 'pdf-lib';
import type { IncrementalUpdate } from './incremental-update.js';
import {
  byteRangePlaceholder,
  contentsPlaceholder,
  embedSignatureInPlace,
  type PreparedSignature,
  prepareByteRange,
} from './signature-placeholder.js';

/** PDF date string D:YYYYMMDDHHmmSS+07'00' in Vietnam time. */
export const pdfDate = (d: Date): string => {
  const t = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `D:${t.getUTCFullYear()}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}+07'00'`;
};

export interface SignatureDictionaryInput {
  readonly signerName: string;
  /** The claimed signing time, in /M (PAdES keeps it out of the CMS). */
  readonly signedAt: Date;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  /** Bytes reserved for the CMS in /Contents (room for chain + timestamp token). */
  readonly contentsSize?: number;
  /** DocMDP permission level for a certification signature (1, 2 or 3). */
  readonly certifyWithP?: 1 | 2 | 3;
}

/** A PAdES signature dictionary (ETSI.CAdES.detached) with placeholders for /ByteRange and /Contents. */
export const addSignatureDictionary = (ctx: PDFContext, input: SignatureDictionaryInput): PDFRef => {
  const sig = ctx.obj({ Type: 'Sig', Filter: 'Adobe.PPKLite', SubFilter: 'ETSI.CAdES.detached' }) as PDFDict;
  sig.set(PDFName.of('ByteRange'), byteRangePlaceholder());
  sig.set(PDFName.of('Contents'), contentsPlaceholder(input.contentsSize ?? 16384));
  sig.set(PDFName.of('M'), PDFString.of(pdfDate(input.signedAt)));
  sig.set(PDFName.of('Name'), PDFHexString.fromText(input.signerName));
  if (input.reason) sig.set(PDFName.of('Reason'), PDFHexString.fromText(input.reason));
  if (input.location) sig.set(PDFName.of('Location'), PDFHexString.fromText(input.location));
  if (input.contactInfo) sig.set(PDFName.of('ContactInfo'), PDFHexString.fromText(input.contactInfo));
  if (input.certifyWithP) {
    sig.set(
      PDFName.of('Reference'),
      ctx.obj([
        { Type: 'SigRef', TransformMethod: 'DocMDP', TransformParams: { Type: 'TransformParams', P: input.certifyWithP, V: '1.2' } },
      ]),
    );
  }
  return ctx.register(sig);
};

/** The CMS came out larger than the /Contents reserved for it: the revision must be rebuilt with `needed` bytes. */
export class ContentsTooSmallError extends Error {
  override readonly name = 'ContentsTooSmallError';
  constructor(readonly needed: number) {
    super(`signature needs ${needed} bytes of /Contents`);
  }
}

/**
 * Runs `build` with the reservation asked for and, if the CMS did not fit, once more with
 * the size it needed (one more signature: the digest covers the reservation's length).
 */
export const withContentsRetry = async <T>(
  contentsSize: number | undefined,
  build: (size: number | undefined) => Promise<T>,
): Promise<T> => {
  try {
    return await build(contentsSize);
  } catch (e) {
    if (!(e instanceof ContentsTooSmallError)) throw e;
    return build(e.needed + 256);
  }
};

export interface SignedRevision {
  readonly pdf: Uint8Array;
  readonly byteRange: readonly [number, number, number, number];
  /** Time spent building the revision (ms) and inside `sign` (ms), for the benchmark. */
  readonly timings: { readonly pdfMs: number; readonly signMs: number };
}

/** Serialises the update, fixes /ByteRange and hashes everything but /Contents (no signing yet). */
export const serializeForSigning = (update: IncrementalUpdate, originalLength: number): PreparedSignature =>
  prepareByteRange(update.serialize(), originalLength, update.original);

/**
 * Writes the CMS that `sign` returns for the prepared digest into /Contents. Kept outside
 * withPdf (lazy-load.ts), so a failing key or TSA never makes the revision be built twice.
 */
export const signPrepared = async (
  prepared: PreparedSignature,
  startedAt: number,
  sign: (digest: Uint8Array) => Promise<Uint8Array>,
): Promise<SignedRevision> => {
  const pdfMs = performance.now() - startedAt;
  const signStarted = performance.now();
  const cms = await sign(prepared.digest);
  const signMs = performance.now() - signStarted;
  if (cms.length > prepared.contentsCapacity) throw new ContentsTooSmallError(cms.length);
  return { pdf: embedSignatureInPlace(prepared, cms), byteRange: prepared.byteRange, timings: { pdfMs, signMs } };
};
