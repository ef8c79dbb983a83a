import { type PDFDict, type PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib';
import * as pkijs from 'pkijs';
import type { Timestamper } from '../pki/cms.js';
import { element } from '../pki/der-write.js';
import { OID } from '../pki/oids.js';
import { sameBytes, sha256Hex, toArrayBuffer } from '../util/bytes.js';
import { addToAcroForm, catalogOf, signatureDictionaries } from './acro-form.js';
import { appendToArray, IncrementalUpdate } from './incremental-update.js';
import { withPdf } from './lazy-load.js';
import { type LoadedPdf, pageLookup } from './pdf-structure.js';
import {
  byteRangePlaceholder,
  contentsPlaceholder,
  embedSignatureInPlace,
  type PreparedSignature,
  prepareByteRange,
} from './signature-placeholder.js';

/** Every CMS in the file's signature fields (approval signatures and document timestamps). */
export const signatureContents = (pdf: Uint8Array): Promise<Uint8Array[]> =>
  withPdf(pdf, async (loaded) => signatureContentsIn(new IncrementalUpdate(loaded)));

/** The same, for a document already loaded (no second parse of the file). */
export const signatureContentsIn = (update: IncrementalUpdate): Uint8Array[] =>
  signatureDictionaries(update).map((sig) => trimDer((sig.get(PDFName.of('Contents')) as PDFHexString).asBytes()));

/** /Contents is zero-padded; the DER length says where the CMS ends. */
const trimDer = (bytes: Uint8Array): Uint8Array => {
  const first = bytes[1] ?? 0;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (bytes[2 + i] ?? 0);
  return bytes.subarray(0, 2 + n + len);
};

/** The certificates of a CMS and of the signature timestamps inside it, read through pkijs (any BER). */
const certificatesParsed = (cms: Uint8Array): Uint8Array[] => {
  const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(cms));
  const sd = new pkijs.SignedData({ schema: ci.content });
  const certs: Uint8Array[] = (sd.certificates ?? [])
    .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map((c) => new Uint8Array(c.toSchema().toBER(false)));
  // Certificates inside signature timestamps (the TSA chain) are needed to validate those too.
  for (const si of sd.signerInfos) {
    for (const attr of si.unsignedAttrs?.attributes ?? []) {
      if (attr.type !== OID.signatureTimeStamp) continue;
      for (const v of attr.values) certs.push(...certificatesParsed(new Uint8Array(v.toBER(false)) as Uint8Array));
    }
  }
  return certs;
};

const SIGNATURE_TIME_STAMP_OID = Uint8Array.from(Buffer.from('060b2a864886f70d010910020e', 'hex'));

/** The DER elements between `start` and `end`: where each begins and where its contents are. */
const elementsIn = (der: Uint8Array, start: number, end: number): { at: number; start: number; end: number }[] => {
  const out: { at: number; start: number; end: number }[] = [];
  for (let at = start; at < end; ) {
    if (der[at + 1] === 0x80 || ((der[at] ?? 0) & 0x1f) === 0x1f) throw new Error('not DER');
    const e = element(der, at);
    if (e.end > end) throw new Error('not DER');
    out.push({ at, ...e });
    at = e.end;
  }
  return out;
};

/**
 * The same, cut straight out of the DER (no object model): SignedData's [0] certificates, and
 * for each SignerInfo the tokens in its signature-time-stamp attributes. Anything that is not
 * plain DER (indefinite lengths from another producer) goes through pkijs instead.
 */
const certificatesOf = (cms: Uint8Array): Uint8Array[] => {
  try {
    const [content] = elementsIn(cms, 0, cms.length);
    const [, explicit] = content ? elementsIn(cms, content.start, content.end) : [];
    const [signedData] = explicit ? elementsIn(cms, explicit.start, explicit.end) : [];
    if (!signedData) throw new Error('not SignedData');
    const parts = elementsIn(cms, signedData.start, signedData.end);
    const certs: Uint8Array[] = [];
    for (const part of parts) {
      if (cms[part.at] !== 0xa0) continue;
      // Other certificate formats ([0], [1], [3] choices) are not X.509 certificates: skipped, as pkijs does.
      for (const c of elementsIn(cms, part.start, part.end)) if (cms[c.at] === 0x30) certs.push(cms.slice(c.at, c.end));
    }
    const signerInfos = parts.at(-1);
    if (!signerInfos || cms[signerInfos.at] !== 0x31) throw new Error('no signerInfos');
    for (const si of elementsIn(cms, signerInfos.start, signerInfos.end)) {
      for (const field of elementsIn(cms, si.start, si.end)) {
        if (cms[field.at] !== 0xa1) continue;
        for (const attr of elementsIn(cms, field.start, field.end)) {
          const [type, values] = elementsIn(cms, attr.start, attr.end);
          if (!type || !values || !sameBytes(cms.subarray(type.at, type.end), SIGNATURE_TIME_STAMP_OID)) continue;
          for (const token of elementsIn(cms, values.start, values.end)) certs.push(...certificatesOf(cms.subarray(token.at, token.end)));
        }
      }
    }
    return certs;
  } catch {
    return certificatesParsed(cms);
  }
};

/** For tests: the pkijs reading the DER walk must agree with. */
export const certificatesOfParsed = certificatesParsed;
export const certificatesOfCms = certificatesOf;

/** Every certificate embedded in the file's signatures and their timestamps, without duplicates. */
export const embeddedCertificates = async (pdf: Uint8Array): Promise<Uint8Array[]> => {
  const seen = new Map<string, Uint8Array>();
  for (const cms of await signatureContents(pdf)) for (const c of certificatesOf(cms)) seen.set(sha256Hex(c), c);
  return [...seen.values()];
};

export interface LtvRevisionInput {
  readonly pdf: Uint8Array;
  /** Certificates to keep in the DSS (DER). */
  readonly certificates: readonly Uint8Array[];
  /** CRLs of every CA in those chains (DER). */
  readonly crls: readonly Uint8Array[];
  readonly timestamper: Timestamper;
  readonly contentsSize?: number;
  /** Name of the timestamp's field; a renewal (issue 17) needs a new one, as field names must be unique. */
  readonly fieldName?: string;
}

/**
 * Completion: one incremental update that adds a Document Security Store with every
 * certificate and CRL needed to validate the signatures later (B-LT), and a document
 * timestamp (SubFilter ETSI.RFC3161) over the whole file including that DSS (B-LTA).
 */
export const addLtvRevision = (input: LtvRevisionInput): Promise<Uint8Array> =>
  withPdf(input.pdf, async (loaded) => buildLtvRevision(input, loaded)).then(async (prepared) =>
    embedSignatureInPlace(prepared, await input.timestamper(prepared.digest)),
  );

const buildLtvRevision = (input: LtvRevisionInput, loaded: LoadedPdf): PreparedSignature => {
  const update = new IncrementalUpdate(loaded);
  const ctx = update.context;
  const { catalog, rootRef } = catalogOf(update);

  const streams = (items: readonly Uint8Array[]) =>
    items.map((der) => ctx.register(PDFRawStream.of(ctx.obj({ Length: der.length }) as PDFDict, der)));
  const dss = ctx.obj({ Certs: streams(input.certificates), CRLs: streams(input.crls) });
  catalog.set(PDFName.of('DSS'), ctx.register(dss));
  update.markChanged(rootRef);

  const sig = ctx.obj({ Type: 'DocTimeStamp', Filter: 'Adobe.PPKLite', SubFilter: 'ETSI.RFC3161' }) as PDFDict;
  sig.set(PDFName.of('ByteRange'), byteRangePlaceholder());
  sig.set(PDFName.of('Contents'), contentsPlaceholder(input.contentsSize ?? 12288));
  const sigRef = ctx.register(sig);
  const page = pageLookup(loaded.doc)(0);
  if (!page) throw new Error('document has no page');
  // An invisible field: a document timestamp has no appearance.
  const field = ctx.obj({ FT: 'Sig', Type: 'Annot', Subtype: 'Widget', Rect: [0, 0, 0, 0], F: 132, P: page.ref }) as PDFDict;
  field.set(PDFName.of('T'), PDFString.of(input.fieldName ?? 'kyso-document-timestamp'));
  field.set(PDFName.of('V'), sigRef);
  const fieldRef = ctx.register(field);
  appendToArray(update, page.ref, ctx.lookup(page.ref) as PDFDict, 'Annots', fieldRef);
  addToAcroForm(update, fieldRef);

  return prepareByteRange(update.serialize(), input.pdf.length, update.original);
};
