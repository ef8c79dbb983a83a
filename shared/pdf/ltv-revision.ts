import { type PDFDict, type PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib';
import * as pkijs from 'pkijs';
import type { Timestamper } from '../pki/cms.js';
import { OID } from '../pki/oids.js';
import { sha256Hex, toArrayBuffer } from '../util/bytes.js';
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

const certificatesOf = (cms: Uint8Array): Uint8Array[] => {
  const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(cms));
  const sd = new pkijs.SignedData({ schema: ci.content });
  const certs: Uint8Array[] = (sd.certificates ?? [])
    .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map((c) => new Uint8Array(c.toSchema().toBER(false)));
  // Certificates inside signature timestamps (the TSA chain) are needed to validate those too.
  for (const si of sd.signerInfos) {
    for (const attr of si.unsignedAttrs?.attributes ?? []) {
      if (attr.type !== OID.signatureTimeStamp) continue;
      for (const v of attr.values) certs.push(...certificatesOf(new Uint8Array(v.toBER(false)) as Uint8Array));
    }
  }
  return certs;
};

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

  return prepareByteRange(update.serialize(), input.pdf.length);
};
