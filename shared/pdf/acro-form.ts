import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFRef } from 'pdf-lib';
import { AppError } from '../errors.js';
import { appendToArray, type IncrementalUpdate } from './incremental-update.js';

/** The document catalog and its reference; every revision that adds fields or DSS changes it. */
export const catalogOf = (update: IncrementalUpdate): { catalog: PDFDict; rootRef: PDFRef } => {
  const rootRef = update.context.trailerInfo.Root;
  if (!(rootRef instanceof PDFRef)) throw new AppError('invalid_pdf', 'The PDF has no document catalog.');
  return { catalog: update.context.lookup(rootRef) as PDFDict, rootRef };
};

/**
 * Adds a field to the document's AcroForm (creating it if needed) with SigFlags 3
 * (SignaturesExist | AppendOnly), marking whichever object holds the form as changed.
 */
export const addToAcroForm = (update: IncrementalUpdate, fieldRef: PDFRef): void => {
  const ctx = update.context;
  const { catalog, rootRef } = catalogOf(update);
  const raw = catalog.get(PDFName.of('AcroForm'));
  let acroForm: PDFDict;
  let holder: PDFRef;
  if (raw instanceof PDFRef) {
    acroForm = ctx.lookup(raw) as PDFDict;
    holder = raw;
  } else if (raw && 'set' in raw) {
    acroForm = raw as PDFDict;
    holder = rootRef;
  } else {
    acroForm = ctx.obj({ Fields: [] }) as PDFDict;
    holder = ctx.register(acroForm);
    catalog.set(PDFName.of('AcroForm'), holder);
    update.markChanged(rootRef);
  }
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(3));
  update.markChanged(holder);
  appendToArray(update, holder, acroForm, 'Fields', fieldRef);
};

/**
 * The signature dictionaries of the document's signature fields (approval signatures and
 * document timestamps), found through the AcroForm: only the fields and their values are
 * parsed, nothing else in the file.
 */
export const signatureDictionaries = (update: IncrementalUpdate): PDFDict[] => {
  const ctx = update.context;
  const acro = ctx.lookup(catalogOf(update).catalog.get(PDFName.of('AcroForm')));
  if (!(acro instanceof PDFDict)) return [];
  const out: PDFDict[] = [];
  const seen = new Set<PDFDict>();
  const visit = (item: unknown, depth: number) => {
    const field = ctx.lookup(item as PDFRef);
    if (!(field instanceof PDFDict) || seen.has(field) || depth > 32 || seen.size > 100_000) return;
    seen.add(field);
    const value = ctx.lookup(field.get(PDFName.of('V')));
    if (value instanceof PDFDict && !(value instanceof PDFRawStream)) {
      const type = value.get(PDFName.of('Type'));
      if (
        (type === PDFName.of('Sig') || type === PDFName.of('DocTimeStamp')) &&
        value.get(PDFName.of('Contents')) instanceof PDFHexString
      ) {
        out.push(value);
      }
    }
    const kids = ctx.lookup(field.get(PDFName.of('Kids')));
    if (kids instanceof PDFArray) for (const kid of kids.asArray()) visit(kid, depth + 1);
  };
  const fields = ctx.lookup(acro.get(PDFName.of('Fields')));
  if (fields instanceof PDFArray) for (const f of fields.asArray()) visit(f, 0);
  return out;
};
