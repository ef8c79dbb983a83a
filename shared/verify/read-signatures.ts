import { PDFArray, PDFDict, type PDFDocument, PDFHexString, PDFName, PDFNumber, type PDFObject, PDFRef, PDFString } from 'pdf-lib';
import type { SignatureKind } from './types.js';

/** One signature dictionary of the file, as read (nothing checked yet). */
export interface SignatureEntry {
  readonly ref?: PDFRef;
  readonly kind: SignatureKind;
  readonly subFilter?: string;
  readonly fieldName?: string;
  readonly byteRange: readonly number[];
  /** The CMS (or timestamp token), zero padding removed. */
  readonly cms: Uint8Array;
  readonly name?: string;
  readonly reason?: string;
  readonly claimedTime?: Date;
}

const text = (o: PDFObject | undefined): string | undefined =>
  o instanceof PDFHexString || o instanceof PDFString ? o.decodeText() : undefined;

/** D:YYYYMMDDHHmmSS+07'00' → Date (PDF 32000-1 7.9.4); undefined when unreadable. */
export const parsePdfDate = (raw: string | undefined): Date | undefined => {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?/.exec(raw ?? '');
  if (!m) return undefined;
  const n = (i: number, d: number) => Number(m[i] ?? d);
  const utc = Date.UTC(n(1, 0), n(2, 1) - 1, n(3, 1), n(4, 0), n(5, 0), n(6, 0));
  const sign = m[7] === '-' ? -1 : m[7] === '+' ? 1 : 0;
  const d = new Date(utc - sign * (n(8, 0) * 60 + n(9, 0)) * 60_000);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/**
 * The CMS in /Contents: decoded natively when the string is plain hex (pdf-lib's asBytes
 * parses two characters at a time; the bytes are the same). Node stops decoding at the first
 * pair that is not hex, so a full-length result means every character was a hex digit.
 */
const contentsBytes = (contents: PDFHexString | PDFString): Uint8Array => {
  if (contents instanceof PDFHexString) {
    const hex = contents.asString();
    const even = hex.length % 2 ? `${hex}0` : hex;
    const decoded = Buffer.from(even, 'hex');
    if (decoded.length * 2 === even.length) return trimDer(new Uint8Array(decoded));
  }
  return trimDer(contents.asBytes());
};

/** /Contents is zero-padded; the DER length says where the CMS ends. */
const trimDer = (bytes: Uint8Array): Uint8Array => {
  const first = bytes[1] ?? 0;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (bytes[2 + i] ?? 0);
  return bytes.subarray(0, Math.min(bytes.length, 2 + n + len));
};

/** Signature field names by signature dictionary, walking the AcroForm field tree. */
const fieldNames = (doc: PDFDocument): Map<PDFObject, string> => {
  const names = new Map<PDFObject, string>();
  const form = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  const walk = (o: PDFObject | undefined, prefix: string, depth: number) => {
    const field = o instanceof PDFRef ? doc.context.lookup(o) : o;
    if (!(field instanceof PDFDict) || depth > 32) return;
    const own = text(field.get(PDFName.of('T')));
    const name = own ? (prefix ? `${prefix}.${own}` : own) : prefix;
    const v = field.get(PDFName.of('V'));
    if (v) names.set(v instanceof PDFRef ? (doc.context.lookup(v) ?? v) : v, name);
    const kids = field.lookupMaybe(PDFName.of('Kids'), PDFArray);
    for (const kid of kids?.asArray() ?? []) walk(kid, name, depth + 1);
  };
  for (const f of form?.lookupMaybe(PDFName.of('Fields'), PDFArray)?.asArray() ?? []) walk(f, '', 0);
  return names;
};

const isDocMdp = (doc: PDFDocument, sig: PDFDict, ref: PDFRef | undefined): boolean => {
  const perms = doc.catalog.lookupMaybe(PDFName.of('Perms'), PDFDict);
  const mdp = perms?.get(PDFName.of('DocMDP'));
  if (mdp && (mdp === ref || mdp === sig)) return true;
  const refs = sig.lookupMaybe(PDFName.of('Reference'), PDFArray);
  return (refs?.asArray() ?? []).some((r) => {
    const d = r instanceof PDFRef ? doc.context.lookup(r) : r;
    return d instanceof PDFDict && d.get(PDFName.of('TransformMethod')) === PDFName.of('DocMDP');
  });
};

/**
 * Every signature dictionary (approval, certification, document timestamp), in the order they
 * were applied. `objects`: the indirect objects to look at (verification's fast path passes
 * those that can be one), else every object of the document.
 */
export const readSignatures = (doc: PDFDocument, objects?: [PDFRef, PDFObject][]): SignatureEntry[] => {
  const names = fieldNames(doc);
  const candidates: [PDFRef | undefined, PDFDict][] = (objects ?? doc.context.enumerateIndirectObjects())
    .filter((e): e is [PDFRef, PDFDict] => e[1] instanceof PDFDict)
    .map(([ref, dict]) => [ref, dict]);
  // Signature values written directly inside a field (not as an indirect object).
  for (const v of names.keys()) if (v instanceof PDFDict && !candidates.some(([, d]) => d === v)) candidates.push([undefined, v]);
  const out: SignatureEntry[] = [];
  for (const [ref, dict] of candidates) {
    const range = dict.lookupMaybe(PDFName.of('ByteRange'), PDFArray);
    const contents = dict.get(PDFName.of('Contents'));
    if (!range || !(contents instanceof PDFHexString || contents instanceof PDFString)) continue;
    const byteRange = range.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : Number.NaN));
    const type = dict.get(PDFName.of('Type'));
    const subFilter = dict.lookupMaybe(PDFName.of('SubFilter'), PDFName)?.decodeText();
    const kind: SignatureKind =
      type === PDFName.of('DocTimeStamp') || subFilter === 'ETSI.RFC3161'
        ? 'document-timestamp'
        : isDocMdp(doc, dict, ref)
          ? 'certification'
          : 'approval';
    const name = text(dict.get(PDFName.of('Name')));
    const reason = text(dict.get(PDFName.of('Reason')));
    const claimedTime = parsePdfDate(text(dict.get(PDFName.of('M'))));
    const fieldName = names.get(dict);
    out.push({
      ...(ref ? { ref } : {}),
      kind,
      ...(subFilter ? { subFilter } : {}),
      ...(fieldName ? { fieldName } : {}),
      byteRange,
      cms: contentsBytes(contents),
      ...(name ? { name } : {}),
      ...(reason ? { reason } : {}),
      ...(claimedTime ? { claimedTime } : {}),
    });
  }
  const end = (s: SignatureEntry) => (s.byteRange[2] ?? 0) + (s.byteRange[3] ?? 0);
  return out.sort((a, b) => end(a) - end(b));
};
