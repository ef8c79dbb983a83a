import {
  PDFArray,
  type PDFContext,
  type PDFDict,
  type PDFDocument,
  PDFHexString,
  PDFName,
  PDFObjectParser,
  PDFRef,
  PDFString,
} from 'pdf-lib';
import { AppError } from '../errors.js';
import { catalogOf } from './acro-form.js';
import { drawCheckboxAppearance, drawTextAppearance } from './appearance.js';
import { peekRanges } from './dict-scan.js';
import type { AppearanceFont } from './fixed-font.js';
import { appendToArray, type IncrementalUpdate } from './incremental-update.js';
import type { PageBox, PageLookup } from './pdf-structure.js';

/** A rectangle in PDF points, measured from the top-left corner of the page (the API's convention). */
export interface FieldRect {
  /** 1-based page number. */
  readonly page: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export type FormFieldType = 'signature' | 'initials' | 'text' | 'date' | 'checkbox';

/** Converts the API's top-left rectangle to a PDF /Rect in the page's user space. */
export const toPdfRect = (
  box: { width: number; height: number; x0: number; y0: number },
  r: FieldRect,
): [number, number, number, number] => {
  const llx = box.x0 + r.x;
  const ury = box.y0 + box.height - r.y;
  return [llx, ury - r.height, llx + r.width, ury];
};

const pageOf = (pages: PageLookup, rect: FieldRect): PageBox => {
  const page = rect.page >= 1 && Number.isInteger(rect.page) ? pages(rect.page - 1) : undefined;
  if (!page) throw new AppError('field_off_page', `Page ${rect.page} does not exist.`);
  return page;
};

const READ_ONLY = 1;

/**
 * A new field, merged with its widget (poppler before 25 does not follow /Kids of a
 * signature field), registered and placed on its page. Empty: values come later.
 * `lock` lists fields a signature field locks once signed (/Lock, Action Include).
 */
export const createField = (
  doc: PDFDocument,
  update: IncrementalUpdate,
  pages: PageLookup,
  spec: { name: string; type: FormFieldType; rect: FieldRect; lock?: readonly string[]; readOnly?: boolean },
): { ref: PDFRef; dict: PDFDict } => {
  const ctx = doc.context;
  const page = pageOf(pages, spec.rect);
  const ft = spec.type === 'signature' ? 'Sig' : spec.type === 'checkbox' ? 'Btn' : 'Tx';
  const dict = ctx.obj({ FT: ft, Type: 'Annot', Subtype: 'Widget', Rect: toPdfRect(page, spec.rect), F: 4, P: page.ref }) as PDFDict;
  dict.set(PDFName.of('T'), PDFHexString.fromText(spec.name));
  if (spec.readOnly) dict.set(PDFName.of('Ff'), ctx.obj(READ_ONLY));
  if (ft === 'Tx') dict.set(PDFName.of('DA'), PDFString.of('/Helv 0 Tf 0 g'));
  if (ft === 'Btn') {
    dict.set(PDFName.of('V'), PDFName.of('Off'));
    dict.set(PDFName.of('AS'), PDFName.of('Off'));
    dict.set(
      PDFName.of('AP'),
      ctx.obj({
        N: {
          Yes: drawCheckboxAppearance(doc, spec.rect.width, spec.rect.height, true),
          Off: drawCheckboxAppearance(doc, spec.rect.width, spec.rect.height, false),
        },
      }),
    );
  }
  if (spec.lock?.length) {
    dict.set(
      PDFName.of('Lock'),
      ctx.obj({ Type: 'SigFieldLock', Action: 'Include', Fields: spec.lock.map((n) => PDFHexString.fromText(n)) }),
    );
  }
  const ref = ctx.register(dict);
  appendToArray(update, page.ref, ctx.lookup(page.ref) as PDFDict, 'Annots', ref);
  return { ref, dict };
};

const fieldName = (dict: PDFDict): string | undefined => {
  const t = dict.get(PDFName.of('T'));
  return t instanceof PDFHexString || t instanceof PDFString ? t.decodeText() : undefined;
};

/** The one key other fields are read for while looking for a field by name. */
const FIELD_NAME_KEY = ['T'] as const;
const nameRange = new Int32Array(2);

const hexValue = (c: number | undefined): number => {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
};

/** A wanted name as Kyso's /T hex strings spell it: UTF-16BE with a BOM, and plain bytes when it is printable ASCII. */
interface WantedName {
  readonly name: string;
  readonly utf16: Uint8Array;
  readonly ascii: Uint8Array | undefined;
}

const wantedName = (name: string): WantedName => {
  const utf16 = Buffer.from(`\ufeff${name}`, 'utf16le').swap16();
  const printable = /^[\x20-\x7e]*$/.test(name);
  return { name, utf16, ascii: printable ? Buffer.from(name, 'latin1') : undefined };
};

/**
 * Whether a hex string /T (`<…>` at bytes[from, to)) names `wanted`, compared digit pair by
 * digit pair without decoding it into strings: a BOM means UTF-16BE, otherwise printable
 * ASCII is the name itself (what decodeText gives for both). Undefined for anything else
 * (whitespace in the digits, an odd count, other PDFDocEncoding bytes): the caller decodes it.
 */
const hexNames = (bytes: Uint8Array, from: number, to: number, wanted: WantedName): boolean | undefined => {
  const digits = to - from - 2;
  if (digits < 0 || digits % 2) return undefined;
  const length = digits / 2;
  for (let i = 0; i < length; i++) if (hexByte(bytes, from, i) < 0) return undefined;
  if (length >= 2 && length % 2 === 0 && hexByte(bytes, from, 0) === 0xfe && hexByte(bytes, from, 1) === 0xff) {
    if (length !== wanted.utf16.length) return false;
    for (let i = 2; i < length; i++) if (hexByte(bytes, from, i) !== wanted.utf16[i]) return false;
    return true;
  }
  for (let i = 0; i < length; i++) {
    const b = hexByte(bytes, from, i);
    if (b < 0x20 || b >= 0x7f) return undefined;
  }
  const { ascii } = wanted;
  if (!ascii || ascii.length !== length) return false;
  for (let i = 0; i < length; i++) if (hexByte(bytes, from, i) !== ascii[i]) return false;
  return true;
};

/** The i-th byte of the hex string `<…>` at `from`, or -1 when its two digits are not hex. */
const hexByte = (bytes: Uint8Array, from: number, i: number): number => {
  const hi = hexValue(bytes[from + 1 + 2 * i]);
  const lo = hexValue(bytes[from + 2 + 2 * i]);
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
};

/**
 * Whether the field's /T, read from the file without parsing the field (lazy-load.ts), is
 * `wanted`: undefined when that cannot be told cheaply, and the field is then parsed as usual.
 */
const peekFieldNameIs = (ctx: PDFContext, ref: PDFRef, wanted: WantedName): boolean | undefined => {
  // One field after another: the range is written into one array, so a field costs no allocation.
  const range = nameRange;
  const bytes = peekRanges(ctx, ref, FIELD_NAME_KEY, range);
  const start = range[0] as number;
  const end = range[1] as number;
  if (!bytes || start < 0) return undefined;
  const first = bytes[start];
  if (first === 0x3c) {
    const same = hexNames(bytes, start, end, wanted);
    if (same !== undefined) return same;
  }
  if (first !== 0x28 && first !== 0x3c) return undefined;
  try {
    const t = PDFObjectParser.forBytes(bytes.subarray(start, end), ctx).parseObject();
    return t instanceof PDFHexString || t instanceof PDFString ? t.decodeText() === wanted.name : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Finds a top-level AcroForm field by its name. Other fields' names are read without
 * parsing them, so a document with many signed fields costs little more than one with few.
 */
export const findField = (update: IncrementalUpdate, name: string): { ref: PDFRef; dict: PDFDict } | undefined => {
  const ctx = update.context;
  const acro = catalogOf(update).catalog.lookup(PDFName.of('AcroForm'));
  if (!acro || !('lookup' in acro)) return undefined;
  const fields = (acro as PDFDict).lookup(PDFName.of('Fields'));
  if (!(fields instanceof PDFArray)) return undefined;
  const wanted = wantedName(name);
  for (const item of fields.asArray()) {
    if (!(item instanceof PDFRef)) continue;
    if (peekFieldNameIs(ctx, item, wanted) === false) continue;
    const dict = ctx.lookup(item) as PDFDict | undefined;
    if (dict && 'get' in dict && fieldName(dict) === name) return { ref: item, dict };
  }
  return undefined;
};

/** Fills a text/date field or ticks a checkbox: the value and a new appearance, nothing else (form filling under DocMDP P=2). */
export const fillField = (
  doc: PDFDocument,
  update: IncrementalUpdate,
  field: { ref: PDFRef; dict: PDFDict },
  font: AppearanceFont,
  value: { type: 'initials' | 'text' | 'date' | 'checkbox'; rect: FieldRect; text: string },
): void => {
  const ctx = doc.context;
  if (value.type === 'checkbox') {
    const state = PDFName.of(value.text === 'true' ? 'Yes' : 'Off');
    field.dict.set(PDFName.of('V'), state);
    field.dict.set(PDFName.of('AS'), state);
  } else {
    field.dict.set(PDFName.of('V'), PDFHexString.fromText(value.text));
    field.dict.set(PDFName.of('AP'), ctx.obj({ N: drawTextAppearance(doc, font, value.rect.width, value.rect.height, value.text) }));
  }
  update.markChanged(field.ref);
};
