import { deflateSync } from 'node:zlib';
import { type PDFDocument, PDFName, type PDFRef } from 'pdf-lib';
import { AppError } from '../errors.js';
import type { AppearanceFont } from './fixed-font.js';
import { loadUnicodeFont } from './font.js';
import { loadFontkit } from './load-fontkit.js';

export type Locale = 'vi' | 'en';

export interface SignatureAppearanceText {
  readonly signerName: string;
  readonly signedAt: Date;
  /** Optional extra line, e.g. the signer's email or organisation. */
  readonly detail?: string;
  /** The envelope's language: the stamp's words (default vi). */
  readonly locale?: Locale;
}

/** The stamp's fixed words per language (dates are dd/mm/yyyy hh:mm in Vietnam time in both). */
const STAMP_WORDS: Record<Locale, { readonly signedBy: string; readonly date: string }> = {
  vi: { signedBy: 'Ký bởi:', date: 'Ngày ký:' },
  en: { signedBy: 'Signed by:', date: 'Date:' },
};

/** 25/11/2026 21:37 (GMT+7): Vietnam time, the format our users read. */
export const formatVietnamTime = (d: Date): string => {
  const t = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(t.getUTCDate())}/${p(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())} (GMT+7)`;
};

/** The fixed words of a signature stamp, so a caller can check the font covers everything drawn. */
export const STAMP_LABELS = ['Ký bởi: Signed by:', 'Ngày ký: Date: 0123456789/:() GMT+', ' · '] as const;

/**
 * The fallback for text the fixed subset (fixed-font.ts) does not cover: one subset of the
 * whole font per revision, made by pdf-lib and fontkit. Text is encoded as glyph ids when
 * drawn; the subset is only written when `font.embed()` runs, after the last drawing.
 */
export const createRevisionFont = async (doc: PDFDocument): Promise<AppearanceFont & { embed(): Promise<void> }> => {
  doc.registerFontkit(await loadFontkit());
  return doc.embedFont(loadUnicodeFont(), { subset: true });
};

const fitSize = (font: AppearanceFont, text: string, maxWidth: number, maxSize: number, minSize = 4): number => {
  // Width scales with size: measure once (a long name must not be laid out once per half point).
  const atOne = font.widthOfTextAtSize(text, 1);
  let size = maxSize;
  while (size > minSize && atOne * size > maxWidth) size -= 0.5;
  return size;
};

/** A drawn signature embedded as an image XObject (with its alpha channel as /SMask). */
export interface SignatureImage {
  readonly ref: PDFRef;
  readonly width: number;
  readonly height: number;
}

/** Embeds the signer's drawing (PNG bytes, already size-checked by the caller) into this revision. */
export const embedSignatureImage = async (doc: PDFDocument, png: Uint8Array): Promise<SignatureImage> => {
  try {
    const image = await doc.embedPng(png);
    await image.embed();
    return { ref: image.ref, width: image.width, height: image.height };
  } catch {
    throw new AppError('validation_failed', 'signature.image: the drawing is not a PNG image we can read.');
  }
};

/**
 * Draws the visible signature in the envelope's language: "Ký bởi:" / "Signed by:", the
 * signer's name (Unicode font, so Vietnamese diacritics render), the date in Vietnam time.
 * Returns the Form XObject.
 */
export const drawSignatureAppearance = (
  doc: PDFDocument,
  font: AppearanceFont,
  width: number,
  height: number,
  text: SignatureAppearanceText,
  image?: SignatureImage,
): PDFRef => {
  if (image) return drawImageSignatureAppearance(doc, font, width, height, text, image);
  const pad = Math.min(4, width / 20);
  const inner = width - 2 * pad;
  const words = STAMP_WORDS[text.locale ?? 'vi'];
  const label = words.signedBy;
  const when = `${words.date} ${formatVietnamTime(text.signedAt)}`;
  const small = fitSize(font, when, inner, Math.max(4, Math.min(7, height / 6)));
  const nameSize = fitSize(font, text.signerName, inner, Math.max(5, Math.min(16, height * 0.32)));
  const lines: { text: string; size: number; rgb: string }[] = [
    { text: label, size: small, rgb: '0.3 0.3 0.3' },
    { text: text.signerName, size: nameSize, rgb: '0.05 0.15 0.45' },
    { text: when, size: small, rgb: '0.3 0.3 0.3' },
  ];
  if (text.detail) lines.push({ text: text.detail, size: fitSize(font, text.detail, inner, small), rgb: '0.3 0.3 0.3' });
  const total = lines.reduce((n, l) => n + l.size * 1.2, 0);
  let y = height - Math.max(pad, (height - total) / 2);
  const ops: string[] = [
    'q 0.95 0.97 1 rg 0 0 ' + `${width} ${height} re f Q`,
    `q 0.2 0.35 0.7 RG 0.8 w 0.4 0.4 ${width - 0.8} ${height - 0.8} re S Q`,
  ];
  for (const line of lines) {
    y -= line.size * 1.2;
    ops.push(`BT /F1 ${line.size} Tf ${line.rgb} rg ${pad} ${y + line.size * 0.25} Td ${font.encodeText(line.text).toString()} Tj ET`);
  }
  return formXObject(doc, font, width, height, ops);
};

/**
 * A drawn signature: the drawing scaled into the upper part of the box (aspect kept), and the
 * typed name and the date in small print under it, so the name stays readable in any viewer.
 */
const drawImageSignatureAppearance = (
  doc: PDFDocument,
  font: AppearanceFont,
  width: number,
  height: number,
  text: SignatureAppearanceText,
  image: SignatureImage,
): PDFRef => {
  const pad = Math.min(3, width / 20);
  const inner = width - 2 * pad;
  const when = formatVietnamTime(text.signedAt);
  const small = fitSize(font, `${text.signerName} · ${when}`, inner, Math.max(4, Math.min(7, height / 6)));
  const textBand = small * 1.25 * 2 + pad;
  const boxH = Math.max(4, height - textBand - pad);
  const scale = Math.min(inner / image.width, boxH / image.height);
  const w = image.width * scale;
  const h = image.height * scale;
  const x = pad + (inner - w) / 2;
  const y = textBand + (boxH - h) / 2;
  const ops: string[] = [
    `q 0.2 0.35 0.7 RG 0.8 w 0.4 0.4 ${width - 0.8} ${height - 0.8} re S Q`,
    `q ${w} 0 0 ${h} ${x} ${y} cm /Im1 Do Q`,
    `BT /F1 ${small} Tf 0.05 0.15 0.45 rg ${pad} ${pad + small * 1.25 + small * 0.25} Td ${font.encodeText(text.signerName).toString()} Tj ET`,
    `BT /F1 ${small} Tf 0.3 0.3 0.3 rg ${pad} ${pad + small * 0.25} Td ${font.encodeText(`${STAMP_WORDS[text.locale ?? 'vi'].date} ${when}`).toString()} Tj ET`,
  ];
  return formXObject(doc, font, width, height, ops, image.ref);
};

const formXObject = (
  doc: PDFDocument,
  font: AppearanceFont | undefined,
  width: number,
  height: number,
  ops: string[],
  imageRef?: PDFRef,
): PDFRef => {
  const resources = { ...(font ? { Font: { F1: font.ref } } : {}), ...(imageRef ? { XObject: { Im1: imageRef } } : {}) };
  // Node's zlib, not pdf-lib's flateStream (pako in JavaScript: a third of a signature's time).
  const stream = doc.context.stream(deflateSync(Buffer.from(ops.join('\n'), 'latin1')), {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, width, height],
    ...(font || imageRef ? { Resources: resources } : {}),
    Filter: 'FlateDecode',
  });
  stream.dict.set(PDFName.of('FormType'), doc.context.obj(1));
  return doc.context.register(stream);
};

/** A filled text or date field: the value on one line, shrunk to fit. */
export const drawTextAppearance = (doc: PDFDocument, font: AppearanceFont, width: number, height: number, value: string): PDFRef => {
  const size = fitSize(font, value, width - 4, Math.max(4, Math.min(11, height * 0.7)));
  const y = (height - size) / 2 + size * 0.22;
  return formXObject(doc, font, width, height, [
    '/Tx BMC q',
    `BT /F1 ${size} Tf 0 0 0 rg 2 ${y} Td ${font.encodeText(value).toString()} Tj ET`,
    'Q EMC',
  ]);
};

/** A checkbox: a box, and a check mark drawn with lines when on (no font needed). */
export const drawCheckboxAppearance = (doc: PDFDocument, width: number, height: number, on: boolean): PDFRef => {
  const s = Math.min(width, height);
  const ops = [`q 0.2 0.2 0.2 RG 0.8 w 0.4 0.4 ${width - 0.8} ${height - 0.8} re S Q`];
  if (on) {
    ops.push(`q 0 0 0 RG ${Math.max(1, s / 10)} w ${s * 0.2} ${s * 0.5} m ${s * 0.42} ${s * 0.25} l ${s * 0.8} ${s * 0.78} l S Q`);
  }
  return formXObject(doc, undefined, width, height, ops);
};
