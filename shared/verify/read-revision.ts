import { type PDFContext, type PDFObject, PDFObjectParser, type PDFRef } from 'pdf-lib';
import { hasObjStmAfter, lastKeyNumber, scanObjectHeaders } from '../pdf/pdf-bytes.js';

/** How a file looked at the end of an earlier revision, object by object. */
export interface RevisionView {
  /** The object as the revision had it; undefined when the revision did not have it. */
  lookup(ref: PDFRef): PDFObject | undefined;
  /** Object numbers (re)defined after the revision; undefined = compare every object. */
  readonly candidates?: ReadonlySet<number>;
  readonly rootObjectNumber?: number;
}

/**
 * Offsets of every "N G obj" header of the file, per object number, in file order. `at` is
 * where the object number starts: the separator before it may belong to the previous revision.
 */
export const indexObjectHeaders = (bytes: Uint8Array): Map<number, { at: number; body: number }[]> => {
  const index = new Map<number, { at: number; body: number }[]>();
  for (const h of scanObjectHeaders(bytes)) {
    const list = index.get(h.num);
    if (list) list.push(h);
    else index.set(h.num, [h]);
  }
  return index;
};

/**
 * A cheap view of the revision ending at `end`, for files whose later updates are plain
 * objects (what every incremental signer writes): only the objects defined after `end` can
 * differ, and their earlier versions are parsed where the revision last defined them.
 * Returns undefined when a later update uses object streams; the caller then parses the
 * whole prefix instead.
 */
export const readRevision = (
  headers: Map<number, { at: number; body: number }[]>,
  bytes: Uint8Array,
  end: number,
  context: PDFContext,
): RevisionView | undefined => {
  if (hasObjStmAfter(bytes, end)) return undefined;
  const candidates = new Set<number>();
  for (const [num, list] of headers) if (list.some((h) => h.at >= end)) candidates.add(num);
  // The last /Root and /Size in the 200 KB before `end` (the revision's trailer), read from the bytes.
  const windowStart = Math.max(0, end - 200_000);
  const rootObjectNumber = lastKeyNumber(bytes, 'Root', windowStart, end);
  const size = lastKeyNumber(bytes, 'Size', windowStart, end) ?? Number.NaN;
  // An object the revision had but not as a plain "N G obj" lived in an object stream: parse the whole prefix instead.
  for (const num of candidates) {
    if (num < size && !(headers.get(num) ?? []).some((h) => h.at < end)) return undefined;
  }
  if (Number.isNaN(size)) return undefined;
  const cache = new Map<number, PDFObject | undefined>();
  return {
    candidates,
    ...(rootObjectNumber !== undefined ? { rootObjectNumber } : {}),
    lookup(ref) {
      if (cache.has(ref.objectNumber)) return cache.get(ref.objectNumber);
      const before = (headers.get(ref.objectNumber) ?? []).filter((h) => h.at < end).pop();
      let obj: PDFObject | undefined;
      if (before) obj = PDFObjectParser.forBytes(bytes.subarray(before.body, end), context).parseObject();
      cache.set(ref.objectNumber, obj);
      return obj;
    },
  };
};
