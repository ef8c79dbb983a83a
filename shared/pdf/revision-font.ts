import { PDFArray, PDFDict, type PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';
import { catalogOf } from './acro-form.js';
import { createRevisionFont, STAMP_LABELS } from './appearance.js';
import { type AppearanceFont, embedFixedFont, fixedFontCovers, reuseFixedFont } from './fixed-font.js';
import type { IncrementalUpdate } from './incremental-update.js';

/** The key under AcroForm /DR /Font where a Kyso revision registers the fixed font. */
export const FIXED_FONT_RESOURCE = 'KysoVN';

export interface RevisionFont {
  readonly font: AppearanceFont;
  /** The fixed font was written by this revision (no earlier revision had it). */
  readonly written?: boolean;
  /** Writes what drawing needed (the fallback subset); call after the last text is drawn. */
  finish(): Promise<void>;
}

const dictAt = (update: IncrementalUpdate, value: unknown): PDFDict | undefined => {
  const v = update.context.lookup(value as never);
  return v instanceof PDFDict ? v : v instanceof PDFRawStream ? v.dict : undefined;
};

/**
 * The fixed font an earlier Kyso revision wrote: registered in the AcroForm's default
 * resources (certification revision), or used by a field appearance an earlier signer drew.
 * Looks at a handful of small objects; never walks the file.
 */
export const findFixedFont = (update: IncrementalUpdate): AppearanceFont | undefined => {
  const ctx = update.context;
  const acro = dictAt(update, catalogOf(update).catalog.get(PDFName.of('AcroForm')));
  if (!acro) return undefined;
  const fromDr = dictAt(update, dictAt(update, acro.get(PDFName.of('DR')))?.get(PDFName.of('Font')));
  const registered = reuseFixedFont(ctx, fromDr?.get(PDFName.of(FIXED_FONT_RESOURCE)));
  if (registered) return registered;
  const fields = ctx.lookup(acro.get(PDFName.of('Fields')));
  if (!(fields instanceof PDFArray)) return undefined;
  for (let i = fields.size() - 1; i >= 0; i--) {
    const field = dictAt(update, fields.get(i));
    const ap = field && dictAt(update, field.get(PDFName.of('AP')));
    const normal = ap && dictAt(update, ap.get(PDFName.of('N')));
    const fonts = normal && dictAt(update, dictAt(update, normal.get(PDFName.of('Resources')))?.get(PDFName.of('Font')));
    const found = fonts && reuseFixedFont(ctx, fonts.get(PDFName.of('F1')));
    if (found) return found;
  }
  return undefined;
};

/**
 * The font a revision draws `texts` with: the fixed subset an earlier revision wrote, or
 * the fixed subset written now, or (text outside the subset) a per-revision subset.
 */
export const revisionFont = async (doc: PDFDocument, update: IncrementalUpdate, texts: readonly string[]): Promise<RevisionFont> => {
  if (!fixedFontCovers([...texts, ...STAMP_LABELS])) {
    const font = await createRevisionFont(doc);
    return { font, finish: () => font.embed() };
  }
  const found = findFixedFont(update);
  if (found) return { font: found, finish: async () => {} };
  return { font: embedFixedFont(update.context), written: true, finish: async () => {} };
};

/**
 * Writes the fixed font and registers it in the AcroForm's default resources, for a revision
 * that changes the AcroForm anyway (the certification revision): every signer after it reuses it.
 */
export const registerFixedFont = (update: IncrementalUpdate): void => {
  if (findFixedFont(update)) return;
  registerFont(update, embedFixedFont(update.context));
};

/**
 * Registers a fixed font this revision wrote in the AcroForm's default resources, so the next
 * revision finds it there (one dictionary) instead of through a field's appearance.
 */
export const registerFont = (update: IncrementalUpdate, font: AppearanceFont, options: { keepExisting?: boolean } = {}): void => {
  const ctx = update.context;
  const { catalog, rootRef } = catalogOf(update);
  const child = (holder: PDFDict, holderRef: PDFRef, key: string): { dict: PDFDict; ref: PDFRef } => {
    const raw = holder.get(PDFName.of(key));
    const existing = dictAt(update, raw);
    if (existing && raw instanceof PDFRef) return { dict: existing, ref: raw };
    const dict = existing ?? (ctx.obj({}) as PDFDict);
    holder.set(PDFName.of(key), dict);
    update.markChanged(holderRef);
    return { dict, ref: holderRef };
  };
  const acro = child(catalog, rootRef, 'AcroForm');
  const dr = child(acro.dict, acro.ref, 'DR');
  const fonts = child(dr.dict, dr.ref, 'Font');
  // A signer leaves a font of that name that is not ours (findFixedFont refused it) where it is.
  if (options.keepExisting && fonts.dict.has(PDFName.of(FIXED_FONT_RESOURCE))) return;
  fonts.dict.set(PDFName.of(FIXED_FONT_RESOURCE), font.ref);
  update.markChanged(fonts.ref);
};
