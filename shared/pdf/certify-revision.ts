import { type PDFDict, PDFName } from 'pdf-lib';
import { addToAcroForm, catalogOf, signatureDictionaries } from './acro-form.js';
import { createField, type FieldRect, type FormFieldType } from './form-fields.js';
import { IncrementalUpdate } from './incremental-update.js';
import { withPdf } from './lazy-load.js';
import { type LoadedPdf, pageLookup } from './pdf-structure.js';
import { registerFixedFont } from './revision-font.js';
import {
  addSignatureDictionary,
  type SignedRevision,
  serializeForSigning,
  signPrepared,
  withContentsRetry,
} from './signature-dictionary.js';
import type { PreparedSignature } from './signature-placeholder.js';

export interface FieldSpec {
  readonly name: string;
  readonly type: FormFieldType;
  readonly rect: FieldRect;
  /** For a signature field: the fields it locks once signed (the signer's own form fields). */
  readonly lock?: readonly string[];
}

export interface CertificationInput {
  readonly pdf: Uint8Array;
  /** Every recipient's fields, created empty in this revision. */
  readonly fields: readonly FieldSpec[];
  readonly signerName: string;
  readonly signedAt: Date;
  readonly reason?: string;
  /** Bytes reserved for the CMS in /Contents (contentsSizeFor); 16 KB when absent. */
  readonly contentsSize?: number;
  readonly sign: (digest: Uint8Array) => Promise<Uint8Array>;
}

/**
 * Send-time revision: every recipient's fields become real AcroForm fields, and the
 * platform certifies the document (DocMDP, P=2: later revisions may only fill forms and
 * sign). Returns undefined when the upload is already signed: a certification signature
 * must be the first one in a document, so such documents are only approval-signed.
 */
export const addCertificationRevision = (input: CertificationInput): Promise<SignedRevision | undefined> => {
  const started = performance.now();
  return withContentsRetry(input.contentsSize, (contentsSize) =>
    withPdf(input.pdf, (loaded) => buildCertificationRevision({ ...input, ...(contentsSize ? { contentsSize } : {}) }, loaded)).then(
      (prepared) => prepared && signPrepared(prepared, started, input.sign),
    ),
  );
};

const buildCertificationRevision = async (input: CertificationInput, loaded: LoadedPdf): Promise<PreparedSignature | undefined> => {
  const { doc } = loaded;
  const update = new IncrementalUpdate(loaded);
  if (signatureDictionaries(update).length > 0) return undefined;
  const ctx = doc.context;
  const pages = pageLookup(doc);

  const sigRef = addSignatureDictionary(ctx, { ...input, certifyWithP: 2 });
  // The certification signature itself is invisible.
  const certField = createField(doc, update, pages, {
    name: 'kyso-certification',
    type: 'signature',
    rect: { page: 1, x: 0, y: 0, width: 0, height: 0 },
  });
  (certField.dict as PDFDict).set(PDFName.of('V'), sigRef);
  certField.dict.set(PDFName.of('F'), ctx.obj(132));
  addToAcroForm(update, certField.ref);

  // After the certification field, so validators list the certification first.
  for (const spec of input.fields) addToAcroForm(update, createField(doc, update, pages, spec).ref);

  // The font every signer's appearance will use, written once here (AcroForm /DR).
  registerFixedFont(update);
  const { catalog, rootRef } = catalogOf(update);
  catalog.set(PDFName.of('Perms'), ctx.obj({ DocMDP: sigRef }));
  update.markChanged(rootRef);
  return serializeForSigning(update, input.pdf.length);
};
