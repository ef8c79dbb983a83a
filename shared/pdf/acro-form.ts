import { type PDFDict, PDFName, PDFNumber, PDFRef } from 'pdf-lib';
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
