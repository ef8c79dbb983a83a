import { deflateSync } from 'node:zlib';
import { PDFArray, type PDFContext, PDFDict, PDFHexString, PDFName, PDFNumber, PDFObject, PDFRawStream, PDFRef, PDFString } from 'pdf-lib';
import { bytesAre, peekStream } from './dict-scan.js';
import { loadUnicodeFont } from './font.js';
import { parseTrueType } from './truetype-subset.js';

/**
 * The font of every appearance Kyso draws when signing: one fixed subset of DejaVu Sans
 * (Latin, Latin-1 and every Vietnamese letter), built once per process and written into a
 * document once. Later revisions find it (by name, and by comparing the font program and
 * ToUnicode bytes, so a look-alike font in an upload is never reused) and point their
 * appearances at it instead of embedding a new subset each time.
 *
 * Text is measured with glyph advances and encoded one code point → one glyph (NFC first,
 * so Vietnamese letters are precomposed): no shaping. The mapping is a constant table, so
 * no parsed-font state is shared between documents (the ToUnicode corruption written down
 * in ARCHITECTURE.md came from sharing a fontkit parse between two subsets).
 *
 * Text with a character outside the set falls back to a per-revision subset of the whole
 * font (appearance.ts), as before.
 */

/** Change the tag whenever CHARSET or the subsetting changes: a reused font must be this exact one. */
export const FIXED_FONT_NAME = 'KYSOVA+DejaVuSans';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const CHARSET: readonly number[] = [
  ...range(0x20, 0x7e),
  ...range(0xa0, 0xff),
  0x102,
  0x103,
  0x110,
  0x111,
  0x128,
  0x129,
  0x168,
  0x169,
  0x1a0,
  0x1a1,
  0x1af,
  0x1b0,
  ...range(0x1ea0, 0x1ef9),
  0x2013,
  0x2014,
  0x2018,
  0x2019,
  0x201c,
  0x201d,
  0x2022,
  0x2026,
  0x20ab,
  0x20ac,
  0x2116,
];

export interface FixedSubset {
  readonly cidOf: ReadonlyMap<number, number>;
  /** Advance of each CID in 1/1000 em. */
  readonly widths: readonly number[];
  /** The CIDFont's /W array, `[0 [w0 w1 …]]`, serialised once. */
  readonly widthsArray: Uint8Array;
  readonly program: Uint8Array;
  readonly programLength: number;
  readonly toUnicode: Uint8Array;
  readonly descriptor: { ascent: number; descent: number; capHeight: number; italicAngle: number; bbox: number[] };
}

const built = new Map<Uint8Array, FixedSubset>();

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

const toUnicodeCMap = (entries: [number, number][]): string => {
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const part = entries.slice(i, i + 100);
    blocks.push(`${part.length} beginbfchar\n${part.map(([cid, cp]) => `<${hex4(cid)}> <${hex4(cp)}>`).join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <ffff>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
};

/** The subset, built on first use (a few milliseconds) and kept for the life of the process. */
export const fixedSubset = (): FixedSubset => fixedSubsetOf(loadUnicodeFont('regular'));

/**
 * The same charset cut from another DejaVu face (the template renderer's bold and oblique
 * faces: shared/templates/fixed-faces.ts), built once per font file and process.
 */
export const fixedSubsetOf = (fontFile: Uint8Array): FixedSubset => {
  const known = built.get(fontFile);
  if (known) return known;
  const font = parseTrueType(fontFile);
  const chars = CHARSET.filter((cp) => font.glyphOf(cp) !== 0);
  const { program, gids } = font.subset([0, ...chars.map((cp) => font.glyphOf(cp))]);
  const cidOf = new Map<number, number>();
  const firstCid = new Map<number, number>();
  for (const [cid, g] of gids.entries()) firstCid.set(g, cid);
  for (const cp of chars) cidOf.set(cp, firstCid.get(font.glyphOf(cp)) ?? 0);
  const scale = 1000 / font.unitsPerEm;
  const entries = [...cidOf.entries()].map(([cp, cid]) => [cid, cp] as [number, number]).sort((a, b) => a[0] - b[0]);
  const unique = entries.filter((e, i) => i === 0 || e[0] !== entries[i - 1]?.[0]);
  const widths = gids.map((g) => Math.round(font.advanceOf(g) * scale));
  const subset: FixedSubset = {
    cidOf,
    widths,
    widthsArray: new Uint8Array(Buffer.from(`[0 [${widths.join(' ')}]]`, 'latin1')),
    program: deflateSync(program, { level: 9 }),
    programLength: program.length,
    toUnicode: deflateSync(Buffer.from(toUnicodeCMap(unique), 'latin1'), { level: 9 }),
    descriptor: {
      ascent: Math.round(font.ascent * scale),
      descent: Math.round(font.descent * scale),
      capHeight: Math.round(font.capHeight * scale),
      italicAngle: font.italicAngle,
      bbox: font.bbox.map((v) => Math.round(v * scale)),
    },
  };
  built.set(fontFile, subset);
  return subset;
};

/** What appearance drawing needs from a font: pdf-lib's PDFFont has the same shape. */
export interface AppearanceFont {
  readonly ref: PDFRef;
  encodeText(text: string): PDFHexString;
  widthOfTextAtSize(text: string, size: number): number;
}

/** True when every character of every text is in the fixed subset (after NFC). */
export const fixedFontCovers = (texts: readonly string[]): boolean => {
  const { cidOf } = fixedSubset();
  for (const t of texts) for (const ch of t.normalize('NFC')) if (!cidOf.has(ch.codePointAt(0) ?? 0)) return false;
  return true;
};

const fontAt = (ref: PDFRef): AppearanceFont => {
  const { cidOf, widths } = fixedSubset();
  const cids = (text: string) => [...text.normalize('NFC')].map((ch) => cidOf.get(ch.codePointAt(0) ?? 0) ?? 0);
  return {
    ref,
    encodeText: (text) => PDFHexString.of(cids(text).map(hex4).join('').toUpperCase()),
    widthOfTextAtSize: (text, size) => (cids(text).reduce((n, c) => n + (widths[c] ?? 0), 0) * size) / 1000,
  };
};

const PDFObjectBase = PDFObject as unknown as new () => PDFObject;

/**
 * An object whose bytes are known in advance (the /W array: 330 numbers pdf-lib would format
 * one by one in every revision that writes the font, and parse again in every revision that
 * checks it, were it not indirect).
 */
class PreEncoded extends PDFObjectBase {
  constructor(private readonly bytes: Uint8Array) {
    super();
  }
  override clone(): PDFObject {
    return new PreEncoded(this.bytes);
  }
  override toString(): string {
    return Buffer.from(this.bytes).toString('latin1');
  }
  override sizeInBytes(): number {
    return this.bytes.length;
  }
  override copyBytesInto(buffer: Uint8Array, offset: number): number {
    buffer.set(this.bytes, offset);
    return this.bytes.length;
  }
}

const rawStream = (ctx: PDFContext, bytes: Uint8Array, extra: Record<string, PDFObject>): PDFRef => {
  const dict = ctx.obj({}) as PDFDict;
  dict.set(PDFName.of('Filter'), PDFName.of('FlateDecode'));
  for (const [k, v] of Object.entries(extra)) dict.set(PDFName.of(k), v);
  dict.set(PDFName.of('Length'), PDFNumber.of(bytes.length));
  return ctx.register(PDFRawStream.of(dict, bytes));
};

/** Writes the fixed subset into this revision (five new objects) and returns it. */
export const embedFixedFont = (ctx: PDFContext): AppearanceFont => fontAt(writeFixedSubset(ctx, fixedSubset(), FIXED_FONT_NAME));

/** Writes a fixed subset as a Type0 font (five new objects) named `name` (a subset tag, e.g. `KYSOVA+DejaVuSans`); returns the font's ref. */
export const writeFixedSubset = (ctx: PDFContext, s: FixedSubset, name: string): PDFRef => {
  const program = rawStream(ctx, s.program, { Length1: PDFNumber.of(s.programLength) });
  const toUnicode = rawStream(ctx, s.toUnicode, {});
  const d = s.descriptor;
  const descriptor = ctx.register(
    ctx.obj({
      Type: 'FontDescriptor',
      FontName: name,
      Flags: 4,
      FontBBox: d.bbox,
      ItalicAngle: d.italicAngle,
      Ascent: d.ascent,
      Descent: d.descent,
      CapHeight: d.capHeight,
      StemV: 80,
      FontFile2: program,
    }),
  );
  const cidFont = ctx.register(
    ctx.obj({
      Type: 'Font',
      Subtype: 'CIDFontType2',
      BaseFont: name,
      CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
      FontDescriptor: descriptor,
      W: ctx.register(new PreEncoded(s.widthsArray)),
      CIDToGIDMap: 'Identity',
    }),
  );
  const ref = ctx.register(
    ctx.obj({
      Type: 'Font',
      Subtype: 'Type0',
      BaseFont: name,
      Encoding: 'Identity-H',
      DescendantFonts: [cidFont],
      ToUnicode: toUnicode,
    }),
  );
  return ref;
};

const STREAM_KEYS = ['Filter', 'DecodeParms'] as const;
const streamKeyRanges = new Int32Array(2 * STREAM_KEYS.length);

const view = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Whether the stream at `ref` holds exactly `bytes`, deflated and nothing else. Compared
 * where it lies in the file when the document was loaded lazily (a later revision checks
 * the font every time: no parse, no copy of the 12 KB program); parsed otherwise, or when
 * its dictionary is not plainly `/Filter /FlateDecode`.
 */
const sameBytes = (ctx: PDFContext, ref: PDFObject | undefined, bytes: Uint8Array): boolean => {
  const r = streamKeyRanges;
  const peeked = peekStream(ctx, ref, STREAM_KEYS, r);
  if (peeked && r[2] === -1 && rangeIs(peeked.bytes, r[0] as number, r[1] as number, '/FlateDecode')) {
    return view(peeked.contents).equals(bytes);
  }
  const stream = ctx.lookup(ref);
  return (
    stream instanceof PDFRawStream &&
    stream.dict.get(PDFName.of('Filter')) === PDFName.of('FlateDecode') &&
    stream.dict.get(PDFName.of('DecodeParms')) === undefined &&
    view(stream.contents).equals(bytes)
  );
};

const rangeIs = (bytes: Uint8Array, start: number, end: number, text: string): boolean =>
  end - start === text.length && bytesAre(bytes, start, text);

/**
 * The fixed font, if `ref` is exactly what embedFixedFont wrote (in any earlier revision):
 * same name, Identity encoding and glyph map, byte-equal font program and ToUnicode.
 */
export const reuseFixedFont = (ctx: PDFContext, ref: PDFObject | undefined): AppearanceFont | undefined => {
  if (!(ref instanceof PDFRef)) return undefined;
  const font = ctx.lookup(ref);
  if (!(font instanceof PDFDict) || font.get(PDFName.of('BaseFont')) !== PDFName.of(FIXED_FONT_NAME)) return undefined;
  const s = fixedSubset();
  if (font.get(PDFName.of('Encoding')) !== PDFName.of('Identity-H')) return undefined;
  if (!sameBytes(ctx, font.get(PDFName.of('ToUnicode')), s.toUnicode)) return undefined;
  const descendants = ctx.lookup(font.get(PDFName.of('DescendantFonts')));
  const cid = descendants instanceof PDFArray && descendants.size() === 1 ? ctx.lookup(descendants.get(0)) : undefined;
  if (!(cid instanceof PDFDict) || cid.get(PDFName.of('CIDToGIDMap')) !== PDFName.of('Identity')) return undefined;
  const descriptor = ctx.lookup(cid.get(PDFName.of('FontDescriptor')));
  if (!(descriptor instanceof PDFDict) || !sameBytes(ctx, descriptor.get(PDFName.of('FontFile2')), s.program)) return undefined;
  return fontAt(ref);
};
