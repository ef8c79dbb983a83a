import { type PDFDict, PDFName } from 'pdf-lib';
import { addToAcroForm } from './acro-form.js';
import { drawSignatureAppearance, embedSignatureImage, type Locale } from './appearance.js';
import { createField, type FieldRect, fillField, findField } from './form-fields.js';
import { IncrementalUpdate } from './incremental-update.js';
import { withPdf } from './lazy-load.js';
import { type LoadedPdf, pageLookup } from './pdf-structure.js';
import { registerFont, revisionFont } from './revision-font.js';
import {
  addSignatureDictionary,
  type SignedRevision,
  serializeForSigning,
  signPrepared,
  withContentsRetry,
} from './signature-dictionary.js';
import type { PreparedSignature } from './signature-placeholder.js';

export type { FieldRect } from './form-fields.js';
export { toPdfRect } from './form-fields.js';
export { pdfDate } from './signature-dictionary.js';

export interface SignatureRevisionInput {
  readonly pdf: Uint8Array;
  /** Field name within the document, e.g. "kyso-signature-<recipientId>". */
  readonly fieldName: string;
  /**
   * Where the visible signature goes. If the document already has a signature field of
   * that name (created and certified at send), it is filled; otherwise one is created.
   */
  readonly widget: FieldRect;
  readonly signerName: string;
  /** A drawn signature (PNG bytes) shown above the name; absent = the typed name is the appearance. */
  readonly signatureImage?: Uint8Array;
  readonly signedAt: Date;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  /** Values the signer filled in: their pre-created fields are filled, missing ones created read-only. */
  readonly formValues?: readonly FormValue[];
  /** Extra appearance line (e.g. email). */
  readonly detail?: string;
  /** The stamp's language (the envelope's; default vi). */
  readonly locale?: Locale;
  /** Bytes reserved for the CMS in /Contents. */
  readonly contentsSize?: number;
  /** Produces the DER CMS for the SHA-256 digest of the signed byte ranges. */
  readonly sign: (digest: Uint8Array) => Promise<Uint8Array>;
}

export interface FormValue {
  readonly name: string;
  readonly type: 'initials' | 'text' | 'date' | 'checkbox';
  readonly rect: FieldRect;
  readonly value: string;
}

export type SignatureRevisionResult = SignedRevision;

/**
 * Appends one revision with the signer's form values and a PAdES signature (SubFilter
 * ETSI.CAdES.detached) over everything but /Contents. In a certified document the revision
 * only fills fields that already exist, so a validator comparing revisions sees form
 * filling and signing and nothing else.
 */
export const addSignatureRevision = (input: SignatureRevisionInput): Promise<SignatureRevisionResult> => {
  const started = performance.now();
  return withContentsRetry(input.contentsSize, (contentsSize) =>
    withPdf(input.pdf, (loaded) => buildSignatureRevision({ ...input, ...(contentsSize ? { contentsSize } : {}) }, loaded)).then(
      (prepared) => signPrepared(prepared, started, input.sign),
    ),
  );
};

const buildSignatureRevision = async (input: SignatureRevisionInput, loaded: LoadedPdf): Promise<PreparedSignature> => {
  const { doc } = loaded;
  const update = new IncrementalUpdate(loaded);
  const ctx = doc.context;
  const pages = pageLookup(doc);
  const { font, written, finish } = await revisionFont(doc, update, [
    input.signerName,
    input.detail ?? '',
    ...(input.formValues ?? []).map((v) => v.value),
  ]);

  const sigRef = addSignatureDictionary(ctx, input);
  const rect = input.widget;
  const existing = findField(update, input.fieldName);
  const field = existing ?? createField(doc, update, pages, { name: input.fieldName, type: 'signature', rect });
  const image = input.signatureImage ? await embedSignatureImage(doc, input.signatureImage) : undefined;
  const ap = drawSignatureAppearance(
    doc,
    font,
    rect.width,
    rect.height,
    {
      signerName: input.signerName,
      signedAt: input.signedAt,
      ...(input.detail ? { detail: input.detail } : {}),
      ...(input.locale ? { locale: input.locale } : {}),
    },
    image,
  );
  (field.dict as PDFDict).set(PDFName.of('V'), sigRef);
  field.dict.set(PDFName.of('AP'), ctx.obj({ N: ap }));
  if (existing) update.markChanged(existing.ref);
  else {
    addToAcroForm(update, field.ref);
    // The AcroForm is written again anyway: the next revision finds the font in its resources.
    if (written) registerFont(update, font, { keepExisting: true });
  }

  for (const fv of input.formValues ?? []) {
    const target = findField(update, fv.name);
    if (target) {
      fillField(doc, update, target, font, { type: fv.type, rect: fv.rect, text: fv.value });
    } else {
      const created = createField(doc, update, pages, { name: fv.name, type: fv.type, rect: fv.rect, readOnly: true });
      fillField(doc, update, created, font, { type: fv.type, rect: fv.rect, text: fv.value });
      addToAcroForm(update, created.ref);
    }
  }
  // A fallback subset can only be written once every glyph has been encoded.
  await finish();
  return serializeForSigning(update, input.pdf.length);
};
