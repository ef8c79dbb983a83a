import { type PDFDict, type PDFDocument, type PDFFont, PDFHexString, PDFName, type PDFRef, PDFString } from 'pdf-lib';
import { AppError } from '../errors.js';
import { addToAcroForm } from './acro-form.js';
import { createRevisionFont, drawCheckboxAppearance, drawSignatureAppearance, drawTextAppearance } from './appearance.js';
import { appendToArray, IncrementalUpdate } from './incremental-update.js';
import { loadPdf, pageBoxes } from './pdf-structure.js';
import { byteRangePlaceholder, contentsPlaceholder, embedSignature, prepareByteRange } from './signature-placeholder.js';

/** A rectangle in PDF points, measured from the top-left corner of the page (the API's convention). */
export interface FieldRect {
  /** 1-based page number. */
  readonly page: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface SignatureRevisionInput {
  readonly pdf: Uint8Array;
  /** Unique field name within the document, e.g. "kyso-sig-<recipientId>". */
  readonly fieldName: string;
  /**
   * Where the visible signature goes. One widget per signature field, merged into the field
   * dictionary: poppler before 25 does not follow /Kids of a signature field and would
   * report it unsigned, and a validator's view is what counts.
   */
  readonly widget: FieldRect;
  readonly signerName: string;
  readonly signedAt: Date;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  /** Values the signer filled in, written as read-only form fields in the same revision. */
  readonly formValues?: readonly FormValue[];
  /** Extra appearance line (e.g. email). */
  readonly detail?: string;
  /** Bytes reserved for the CMS in /Contents. */
  readonly contentsSize?: number;
  /** Produces the DER CMS for the SHA-256 digest of the signed byte ranges. */
  readonly sign: (digest: Uint8Array) => Promise<Uint8Array>;
}

export interface FormValue {
  readonly name: string;
  readonly type: 'text' | 'date' | 'checkbox';
  readonly rect: FieldRect;
  readonly value: string;
}

export interface SignatureRevisionResult {
  readonly pdf: Uint8Array;
  readonly byteRange: readonly [number, number, number, number];
  /** Time spent building the revision (ms) and inside `sign` (ms), for the benchmark. */
  readonly timings: { readonly pdfMs: number; readonly signMs: number };
}

const READ_ONLY = 1;

/** A filled, read-only text or checkbox field (merged field and widget) with its appearance. */
const addFilledField = (
  doc: PDFDocument,
  update: IncrementalUpdate,
  pages: ReturnType<typeof pageBoxes>,
  font: PDFFont,
  fv: FormValue,
): PDFRef => {
  const ctx = doc.context;
  const page = pages[fv.rect.page - 1];
  if (!page) throw new AppError('field_off_page', `Page ${fv.rect.page} does not exist.`);
  const isCheckbox = fv.type === 'checkbox';
  const on = fv.value === 'true';
  const dict = ctx.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: isCheckbox ? 'Btn' : 'Tx',
    Ff: READ_ONLY,
    Rect: toPdfRect(page, fv.rect),
    F: 4,
    P: page.ref,
  }) as PDFDict;
  dict.set(PDFName.of('T'), PDFHexString.fromText(fv.name));
  if (isCheckbox) {
    dict.set(PDFName.of('V'), PDFName.of(on ? 'Yes' : 'Off'));
    dict.set(PDFName.of('AS'), PDFName.of(on ? 'Yes' : 'Off'));
    dict.set(
      PDFName.of('AP'),
      ctx.obj({
        N: {
          Yes: drawCheckboxAppearance(doc, fv.rect.width, fv.rect.height, true),
          Off: drawCheckboxAppearance(doc, fv.rect.width, fv.rect.height, false),
        },
      }),
    );
  } else {
    dict.set(PDFName.of('V'), PDFHexString.fromText(fv.value));
    dict.set(PDFName.of('DA'), PDFString.of('/Helv 0 Tf 0 g'));
    dict.set(PDFName.of('AP'), ctx.obj({ N: drawTextAppearance(doc, font, fv.rect.width, fv.rect.height, fv.value) }));
  }
  const ref = ctx.register(dict);
  appendToArray(update, page.ref, ctx.lookup(page.ref) as PDFDict, 'Annots', ref);
  return ref;
};

/** PDF date string D:YYYYMMDDHHmmSS+07'00' in Vietnam time. */
export const pdfDate = (d: Date): string => {
  const t = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `D:${t.getUTCFullYear()}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}+07'00'`;
};

/** Converts the API's top-left rectangle to a PDF /Rect in the page's user space. */
export const toPdfRect = (
  box: { width: number; height: number; x0: number; y0: number },
  r: FieldRect,
): [number, number, number, number] => {
  const llx = box.x0 + r.x;
  const ury = box.y0 + box.height - r.y;
  return [llx, ury - r.height, llx + r.width, ury];
};

/**
 * Appends one revision that adds a signature field with its visible appearance and a PAdES
 * signature (SubFilter ETSI.CAdES.detached) over everything but /Contents.
 */
export const addSignatureRevision = async (input: SignatureRevisionInput): Promise<SignatureRevisionResult> => {
  const started = performance.now();
  const loaded = await loadPdf(input.pdf);
  const { doc } = loaded;
  const update = new IncrementalUpdate(loaded);
  const ctx = doc.context;
  const pages = pageBoxes(doc);

  const sigDict = ctx.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.CAdES.detached',
  }) as PDFDict;
  sigDict.set(PDFName.of('ByteRange'), byteRangePlaceholder());
  sigDict.set(PDFName.of('Contents'), contentsPlaceholder(input.contentsSize ?? 16384));
  sigDict.set(PDFName.of('M'), PDFString.of(pdfDate(input.signedAt)));
  sigDict.set(PDFName.of('Name'), PDFHexString.fromText(input.signerName));
  if (input.reason) sigDict.set(PDFName.of('Reason'), PDFHexString.fromText(input.reason));
  if (input.location) sigDict.set(PDFName.of('Location'), PDFHexString.fromText(input.location));
  if (input.contactInfo) sigDict.set(PDFName.of('ContactInfo'), PDFHexString.fromText(input.contactInfo));
  const sigRef = ctx.register(sigDict);

  const rect = input.widget;
  const page = pages[rect.page - 1];
  if (!page) throw new AppError('field_off_page', `Page ${rect.page} does not exist.`);
  const font = await createRevisionFont(doc);
  const ap = drawSignatureAppearance(doc, font, rect.width, rect.height, {
    signerName: input.signerName,
    signedAt: input.signedAt,
    ...(input.detail ? { detail: input.detail } : {}),
  });
  const field = ctx.obj({
    FT: 'Sig',
    Type: 'Annot',
    Subtype: 'Widget',
    Rect: toPdfRect(page, rect),
    F: 4,
    P: page.ref,
    AP: { N: ap },
  }) as PDFDict;
  field.set(PDFName.of('T'), PDFHexString.fromText(input.fieldName));
  field.set(PDFName.of('V'), sigRef);
  const fieldRef = ctx.register(field);
  appendToArray(update, page.ref, ctx.lookup(page.ref) as PDFDict, 'Annots', fieldRef);

  addToAcroForm(update, fieldRef);

  for (const fv of input.formValues ?? []) {
    addToAcroForm(update, addFilledField(doc, update, pages, font, fv));
  }
  // The subset can only be written once every glyph has been encoded.
  await font.embed();

  const searchFrom = input.pdf.length;
  const prepared = prepareByteRange(update.serialize(), searchFrom);
  const pdfMs = performance.now() - started;
  const signStarted = performance.now();
  const cms = await input.sign(prepared.digest);
  const signMs = performance.now() - signStarted;
  return { pdf: embedSignature(prepared, cms), byteRange: prepared.byteRange, timings: { pdfMs, signMs } };
};
