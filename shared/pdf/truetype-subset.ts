/**
 * Just enough TrueType to embed a fixed subset in a PDF (CIDFontType2, Identity-H): read the
 * character map and advance widths, and write a font program with the chosen glyphs
 * renumbered 0..n-1 (composite glyphs pull their components in). Hinting is dropped: PDF
 * viewers rasterise at any size and do not need it, and it is half the bytes of DejaVu.
 */

interface Table {
  readonly offset: number;
  readonly length: number;
}

export interface TrueTypeFont {
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly capHeight: number;
  readonly italicAngle: number;
  readonly bbox: readonly [number, number, number, number];
  /** Glyph id of a code point, 0 when the font has none. */
  glyphOf(codePoint: number): number;
  advanceOf(gid: number): number;
  /** Subset program with `gids` (0 first) in that order, plus composite components appended. */
  subset(gids: readonly number[]): { program: Uint8Array; gids: number[] };
}

const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;
const WE_HAVE_INSTRUCTIONS = 0x0100;

export const parseTrueType = (bytes: Uint8Array): TrueTypeFont => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = new Map<string, Table>();
  const numTables = view.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const at = 12 + i * 16;
    const tag = String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
    tables.set(tag, { offset: view.getUint32(at + 8), length: view.getUint32(at + 12) });
  }
  const table = (tag: string): Table => {
    const t = tables.get(tag);
    if (!t) throw new Error(`font has no ${tag} table`);
    return t;
  };
  const head = table('head').offset;
  const hhea = table('hhea').offset;
  const unitsPerEm = view.getUint16(head + 18);
  const longLoca = view.getInt16(head + 50) === 1;
  const numGlyphs = view.getUint16(table('maxp').offset + 4);
  const numHMetrics = view.getUint16(hhea + 34);
  const hmtx = table('hmtx').offset;
  const loca = table('loca').offset;
  const glyf = table('glyf').offset;
  const os2 = tables.get('OS/2');
  const post = tables.get('post');

  // cmap: format 4 (BMP) from the Windows Unicode subtable, which DejaVu has.
  const cmap = table('cmap').offset;
  let format4 = -1;
  for (let i = 0; i < view.getUint16(cmap + 2); i++) {
    const rec = cmap + 4 + i * 8;
    const sub = cmap + view.getUint32(rec + 4);
    if (view.getUint16(rec) === 3 && view.getUint16(rec + 2) === 1 && view.getUint16(sub) === 4) format4 = sub;
  }
  if (format4 < 0) throw new Error('font has no Unicode BMP cmap');
  const segX2 = view.getUint16(format4 + 6);
  const ends = format4 + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  const glyphOf = (cp: number): number => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segX2; s += 2) {
      if (view.getUint16(ends + s) < cp) continue;
      const start = view.getUint16(starts + s);
      if (start > cp) return 0;
      const ro = view.getUint16(rangeOffsets + s);
      if (ro === 0) return (cp + view.getInt16(deltas + s)) & 0xffff;
      const g = view.getUint16(rangeOffsets + s + ro + (cp - start) * 2);
      return g === 0 ? 0 : (g + view.getInt16(deltas + s)) & 0xffff;
    }
    return 0;
  };
  const advanceOf = (gid: number): number => view.getUint16(hmtx + 4 * Math.min(gid, numHMetrics - 1));
  const lsbOf = (gid: number): number =>
    gid < numHMetrics ? view.getInt16(hmtx + 4 * gid + 2) : view.getInt16(hmtx + 4 * numHMetrics + 2 * (gid - numHMetrics));
  const glyphRange = (gid: number): [number, number] =>
    longLoca
      ? [view.getUint32(loca + 4 * gid), view.getUint32(loca + 4 * gid + 4)]
      : [view.getUint16(loca + 2 * gid) * 2, view.getUint16(loca + 2 * gid + 2) * 2];

  /** Component glyph ids of a composite glyph (empty for a simple one). */
  const componentsOf = (gid: number): number[] => {
    const [from, to] = glyphRange(gid);
    if (to <= from || view.getInt16(glyf + from) >= 0) return [];
    const out: number[] = [];
    let at = glyf + from + 10;
    for (;;) {
      const flags = view.getUint16(at);
      out.push(view.getUint16(at + 2));
      at += componentSize(flags);
      if (!(flags & MORE_COMPONENTS)) return out;
    }
  };

  /** One glyph's outline without instructions, component ids mapped to the subset's. */
  const glyphWithoutHinting = (gid: number, newId: Map<number, number>): Uint8Array => {
    const [from, to] = glyphRange(gid);
    if (to <= from) return new Uint8Array(0);
    const src = bytes.subarray(glyf + from, glyf + to);
    const sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const contours = sv.getInt16(0);
    if (contours >= 0) {
      const instrAt = 10 + 2 * contours;
      const instrLen = sv.getUint16(instrAt);
      const out = new Uint8Array(src.length - instrLen);
      out.set(src.subarray(0, instrAt + 2), 0);
      new DataView(out.buffer).setUint16(instrAt, 0);
      out.set(src.subarray(instrAt + 2 + instrLen), instrAt + 2);
      return out;
    }
    const out = Uint8Array.from(src);
    const ov = new DataView(out.buffer);
    let at = 10;
    for (;;) {
      const flags = ov.getUint16(at);
      ov.setUint16(at, flags & ~WE_HAVE_INSTRUCTIONS);
      ov.setUint16(at + 2, newId.get(ov.getUint16(at + 2)) ?? 0);
      at += componentSize(flags);
      if (!(flags & MORE_COMPONENTS)) return out.subarray(0, at);
    }
  };

  const subset = (wanted: readonly number[]) => {
    const gids: number[] = [];
    const seen = new Set<number>();
    const add = (g: number) => {
      if (seen.has(g) || g >= numGlyphs) return;
      seen.add(g);
      gids.push(g);
    };
    for (const g of wanted) add(g);
    for (let i = 0; i < gids.length; i++) for (const c of componentsOf(gids[i] as number)) add(c);
    const newId = new Map(gids.map((g, i) => [g, i]));
    const glyphs = gids.map((g) => glyphWithoutHinting(g, newId));
    const glyfLen = glyphs.reduce((n, g) => n + ((g.length + 3) & ~3), 0);
    const glyfOut = new Uint8Array(glyfLen);
    const locaOut = new DataView(new ArrayBuffer(4 * (gids.length + 1)));
    let pos = 0;
    glyphs.forEach((g, i) => {
      locaOut.setUint32(4 * i, pos);
      glyfOut.set(g, pos);
      pos += (g.length + 3) & ~3;
    });
    locaOut.setUint32(4 * gids.length, pos);
    const hmtxOut = new DataView(new ArrayBuffer(4 * gids.length));
    gids.forEach((g, i) => {
      hmtxOut.setUint16(4 * i, advanceOf(g));
      hmtxOut.setInt16(4 * i + 2, lsbOf(g));
    });
    const headOut = bytes.slice(head, head + 54);
    new DataView(headOut.buffer).setUint32(8, 0); // checkSumAdjustment, set below
    new DataView(headOut.buffer).setInt16(50, 1); // long loca
    const hheaOut = bytes.slice(hhea, hhea + 36);
    new DataView(hheaOut.buffer).setUint16(34, gids.length);
    const maxp = table('maxp');
    const maxpOut = bytes.slice(maxp.offset, maxp.offset + maxp.length);
    new DataView(maxpOut.buffer).setUint16(4, gids.length);
    const program = writeFont([
      ['glyf', glyfOut],
      ['head', headOut],
      ['hhea', hheaOut],
      ['hmtx', new Uint8Array(hmtxOut.buffer)],
      ['loca', new Uint8Array(locaOut.buffer)],
      ['maxp', maxpOut],
    ]);
    return { program, gids };
  };

  return {
    unitsPerEm,
    ascent: view.getInt16(hhea + 4),
    descent: view.getInt16(hhea + 6),
    capHeight: os2 && view.getUint16(os2.offset) >= 2 ? view.getInt16(os2.offset + 88) : view.getInt16(hhea + 4),
    italicAngle: post ? view.getInt32(post.offset + 4) / 65536 : 0,
    bbox: [view.getInt16(head + 36), view.getInt16(head + 38), view.getInt16(head + 40), view.getInt16(head + 42)],
    glyphOf,
    advanceOf,
    subset,
  };
};

const componentSize = (flags: number): number => {
  let size = 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
  if (flags & WE_HAVE_A_SCALE) size += 2;
  else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) size += 4;
  else if (flags & WE_HAVE_A_TWO_BY_TWO) size += 8;
  return size;
};

const checksum = (data: Uint8Array): number => {
  const padded = new Uint8Array((data.length + 3) & ~3);
  padded.set(data);
  const v = new DataView(padded.buffer);
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + v.getUint32(i)) >>> 0;
  return sum;
};

/** An sfnt with the given tables (tags sorted), checksums and head.checkSumAdjustment set. */
const writeFont = (tables: [string, Uint8Array][]): Uint8Array => {
  const n = tables.length;
  const dirSize = 12 + 16 * n;
  const total = tables.reduce((s, [, d]) => s + ((d.length + 3) & ~3), dirSize);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const pow = 2 ** Math.floor(Math.log2(n));
  v.setUint32(0, 0x00010000);
  v.setUint16(4, n);
  v.setUint16(6, pow * 16);
  v.setUint16(8, Math.log2(pow));
  v.setUint16(10, n * 16 - pow * 16);
  let pos = dirSize;
  let headAt = 0;
  tables.forEach(([tag, data], i) => {
    const rec = 12 + 16 * i;
    for (let c = 0; c < 4; c++) out[rec + c] = tag.charCodeAt(c);
    v.setUint32(rec + 4, checksum(data));
    v.setUint32(rec + 8, pos);
    v.setUint32(rec + 12, data.length);
    out.set(data, pos);
    if (tag === 'head') headAt = pos;
    pos += (data.length + 3) & ~3;
  });
  v.setUint32(headAt + 8, (0xb1b0afba - checksum(out)) >>> 0);
  return out;
};
