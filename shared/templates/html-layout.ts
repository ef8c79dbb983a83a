import { charWidths } from '../util/text-wrap.js';
import { type FaceKey, faceKey, measure as fontkitMeasure, type Measure } from './fonts.js';
import type { HtmlElement, HtmlNode } from './html-parse.js';
import { parseDeclarations } from './html-parse.js';

/**
 * Layout of parsed HTML into a flow of unbreakable items (a line of a paragraph, a table
 * row), each with positioned text pieces. Pagination (./render-html.ts) only stacks items.
 * Units are PDF points; y grows downwards from the item's top.
 */
export interface Piece {
  readonly text: string;
  readonly x: number;
  readonly width: number;
  readonly face: FaceKey;
  readonly size: number;
  readonly underline: boolean;
}
export interface Line {
  readonly x: number;
  readonly top: number;
  readonly height: number;
  /** Offset of the baseline from the line's top. */
  readonly baseline: number;
  readonly pieces: readonly Piece[];
}
export interface Rule {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
export interface FlowItem {
  readonly height: number;
  marginTop: number;
  breakBefore: boolean;
  keepWithNext: boolean;
  readonly lines: readonly Line[];
  readonly boxes: readonly Rule[];
}

interface Style {
  readonly size: number;
  readonly bold: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly align: 'left' | 'center' | 'right';
}

type Css = ReadonlyMap<string, Readonly<Record<string, string>>>;

const BLOCK = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'ul',
  'ol',
  'li',
  'hr',
  'center',
  'section',
  'article',
  'header',
  'footer',
  'blockquote',
  'tbody',
  'thead',
  'tr',
  'body',
]);
const HEADING_SCALE: Record<string, number> = { h1: 1.6, h2: 1.3, h3: 1.15, h4: 1, h5: 0.9, h6: 0.85 };
const LINE_HEIGHT = 1.35;
const CELL_PADDING = 3;

/** 12pt, 16px, 1.2em, 120%, or a bare number (px, as in HTML attributes), in points. */
const toPt = (value: string | undefined, em: number, percentOf?: number): number | undefined => {
  const m = value?.trim().match(/^(-?[\d.]+)\s*(pt|px|em|rem|%|mm|cm)?$/i);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch ((m[2] ?? 'px').toLowerCase()) {
    case 'pt':
      return n;
    case 'px':
      return n * 0.75;
    case 'em':
    case 'rem':
      return n * em;
    case '%':
      return percentOf === undefined ? undefined : (n / 100) * percentOf;
    case 'mm':
      return (n * 72) / 25.4;
    case 'cm':
      return (n * 72) / 2.54;
    default:
      return undefined;
  }
};

const declarations = (el: HtmlElement, css: Css): Record<string, string> => ({
  ...(css.get(el.tag) ?? {}),
  ...(el.attrs.style ? parseDeclarations(el.attrs.style) : {}),
});

const computeStyle = (el: HtmlElement, parent: Style, css: Css, base: number): Style => {
  const d = declarations(el, css);
  const heading = HEADING_SCALE[el.tag];
  let size = heading ? base * heading : parent.size;
  size = toPt(d['font-size'], parent.size, parent.size) ?? size;
  const bold = ['b', 'strong', 'th'].includes(el.tag) || heading !== undefined || parent.bold;
  const weight = d['font-weight'];
  const italic = ['i', 'em', 'cite'].includes(el.tag) || parent.italic;
  const alignRaw = (d['text-align'] ?? el.attrs.align ?? (el.tag === 'center' || el.tag === 'th' ? 'center' : parent.align)).toLowerCase();
  return {
    size,
    bold: weight ? weight === 'bold' || Number(weight) >= 600 : bold,
    italic: d['font-style'] ? d['font-style'] !== 'normal' : italic,
    underline: el.tag === 'u' || (d['text-decoration'] ?? '').includes('underline') || parent.underline,
    align: alignRaw === 'center' || alignRaw === 'right' ? alignRaw : 'left',
  };
};

type Atom = { kind: 'word' | 'space'; text: string; style: Style; width: number } | { kind: 'br'; style: Style };

/** Breaks inline content into lines no wider than `width`; whitespace collapses as in HTML. */
const breakLines = (atoms: readonly Atom[], width: number, align: Style['align'], fallback: Style): Line[] => {
  const lines: Line[] = [];
  let current: Atom[] = [];
  let used = 0;
  let top = 0;
  const finish = (hardBreakStyle?: Style) => {
    while (current.length && current[current.length - 1]?.kind === 'space') current.pop();
    const words = current.filter((a): a is Extract<Atom, { kind: 'word' | 'space' }> => a.kind !== 'br');
    const maxSize = words.length ? Math.max(...words.map((a) => a.style.size)) : (hardBreakStyle ?? fallback).size;
    const height = maxSize * LINE_HEIGHT;
    const lineWidth = words.reduce((n, a) => n + a.width, 0);
    let x = align === 'center' ? (width - lineWidth) / 2 : align === 'right' ? width - lineWidth : 0;
    x = Math.max(0, x);
    const pieces: Piece[] = [];
    for (const a of words) {
      const face = faceKey(a.style.bold, a.style.italic);
      const prev = pieces[pieces.length - 1];
      if (prev && prev.face === face && prev.size === a.style.size && prev.underline === a.style.underline) {
        pieces[pieces.length - 1] = { ...prev, text: prev.text + a.text, width: prev.width + a.width };
      } else {
        pieces.push({ text: a.text, x, width: a.width, face, size: a.style.size, underline: a.style.underline });
      }
      x += a.width;
    }
    // DejaVu: ascender 0.928 em, descender 0.236 em; centre that box in the line.
    lines.push({ x: 0, top, height, baseline: (height - 1.164 * maxSize) / 2 + 0.928 * maxSize, pieces });
    top += height;
    current = [];
    used = 0;
  };
  for (const a of atoms) {
    if (a.kind === 'br') {
      finish(a.style);
      continue;
    }
    if (a.kind === 'space') {
      if (current.length === 0 || current[current.length - 1]?.kind === 'space') continue;
      current.push(a);
      used += a.width;
      continue;
    }
    if (used + a.width > width + 0.01 && current.some((c) => c.kind === 'word')) {
      finish();
    }
    if (a.width > width) {
      // A word longer than the line (an account number, a URL): break it by characters, each
      // measured once (linear: re-measuring the growing chunk made 250,000 characters take 22 s).
      const widthOf = charWidths((ch) => measure(faceKey(a.style.bold, a.style.italic), ch, a.style.size));
      let chunk = '';
      let w = 0;
      for (const ch of a.text) {
        const cw = widthOf(ch);
        if (used + w + cw > width && chunk) {
          current.push({ ...a, text: chunk, width: w });
          finish();
          chunk = '';
          w = 0;
        }
        chunk += ch;
        w += cw;
      }
      current.push({ ...a, text: chunk, width: w });
      used += w;
      continue;
    }
    current.push(a);
    used += a.width;
  }
  if (current.some((c) => c.kind === 'word')) finish();
  return lines;
};

/** Words longer than this are measured per character (memoised): shaping a 250,000-character word at once takes seconds. */
const LONG_WORD = 256;
const measureWord = (face: FaceKey, word: string, size: number): number => {
  if (word.length <= LONG_WORD) return measure(face, word, size);
  const widthOf = charWidths((ch) => measure(face, ch, size));
  let w = 0;
  for (const ch of word) w += widthOf(ch);
  return w;
};

/** Collects flow items with collapsing vertical margins and pending page breaks. */
class Flow {
  readonly items: FlowItem[] = [];
  private margin = 0;
  private breakNext = false;
  addMargin(m: number) {
    this.margin = Math.max(this.margin, m);
  }
  pageBreak() {
    this.breakNext = true;
  }
  push(item: Omit<FlowItem, 'marginTop' | 'breakBefore' | 'keepWithNext'>, keepWithNext = false) {
    this.items.push({ ...item, marginTop: this.margin, breakBefore: this.breakNext, keepWithNext });
    this.margin = 0;
    this.breakNext = false;
  }
}

const isBreakAlways = (v: string | undefined) => v !== undefined && /always|page/.test(v);

/**
 * How this layout measures text: the renderer's choice for one document (fixed faces or pdf-lib's
 * fonts). Set for the duration of layoutBody only, which is synchronous, so two documents laid
 * out by one process at once never see each other's.
 */
let measure: Measure = fontkitMeasure;

/** Lays out an element's content (the body, a table cell) at `width` points, measuring text with `measureWith`. */
export const layoutBody = (
  body: HtmlElement,
  css: Css,
  width: number,
  baseSize = 11,
  measureWith: Measure = fontkitMeasure,
): FlowItem[] => {
  const root: Style = { size: baseSize, bold: false, italic: false, underline: false, align: 'left' };
  const bodyStyle = computeStyle(body, root, css, baseSize);
  const flow = new Flow();
  measure = measureWith;
  try {
    layoutChildren(body.children, bodyStyle, css, bodyStyle.size, width, 0, flow);
  } finally {
    measure = fontkitMeasure;
  }
  return flow.items;
};

const layoutChildren = (
  nodes: readonly HtmlNode[],
  style: Style,
  css: Css,
  base: number,
  width: number,
  indent: number,
  flow: Flow,
  keepWithNext = false,
) => {
  let atoms: Atom[] = [];
  const flushInline = () => {
    if (atoms.some((a) => a.kind === 'word') || atoms.filter((a) => a.kind === 'br').length > 1) {
      for (const line of breakLines(atoms, width - indent, style.align, style)) {
        flow.push({ height: line.height, lines: [{ ...line, x: indent, top: 0 }], boxes: [] }, keepWithNext);
      }
    }
    atoms = [];
  };
  const collect = (node: HtmlNode, s: Style) => {
    if (node.type === 'text') {
      for (const part of node.text.normalize('NFC').split(/([ \t\r\n\f]+)/)) {
        if (part === '') continue;
        const face = faceKey(s.bold, s.italic);
        if (/^[ \t\r\n\f]+$/.test(part)) atoms.push({ kind: 'space', text: ' ', style: s, width: measure(face, ' ', s.size) });
        else atoms.push({ kind: 'word', text: part, style: s, width: measureWord(face, part, s.size) });
      }
      return;
    }
    if (node.tag === 'br') {
      atoms.push({ kind: 'br', style: s });
      return;
    }
    if (BLOCK.has(node.tag)) {
      flushInline();
      layoutBlock(node, s, css, base, width, indent, flow);
      return;
    }
    const inner = computeStyle(node, s, css, base);
    for (const c of node.children) collect(c, inner);
  };
  for (const n of nodes) collect(n, style);
  flushInline();
};

const layoutBlock = (el: HtmlElement, parent: Style, css: Css, base: number, width: number, indent: number, flow: Flow) => {
  const style = computeStyle(el, parent, css, base);
  const d = declarations(el, css);
  const heading = HEADING_SCALE[el.tag] !== undefined;
  const isPara = el.tag === 'p' || heading || el.tag === 'ul' || el.tag === 'ol' || el.tag === 'table' || el.tag === 'blockquote';
  const margin = heading ? style.size * 0.6 : isPara ? style.size * 0.5 : 0;
  if (isBreakAlways(d['page-break-before'] ?? d['break-before'])) flow.pageBreak();
  flow.addMargin(toPt(d['margin-top'], style.size) ?? margin);
  if (el.tag === 'table') layoutTable(el, style, css, base, width - indent, indent, flow);
  else if (el.tag === 'hr')
    flow.push({ height: style.size * 0.6, lines: [], boxes: [{ x: indent, y: style.size * 0.3, width: width - indent, height: 0 }] });
  else if (el.tag === 'li') {
    const bullet: Piece = { text: '•', x: -10, width: 5, face: 'regular', size: style.size, underline: false };
    const before = flow.items.length;
    layoutChildren(el.children, style, css, base, width, indent, flow);
    const first = flow.items[before];
    if (first?.lines[0]) {
      const l = first.lines[0];
      flow.items[before] = { ...first, lines: [{ ...l, pieces: [bullet, ...l.pieces] }, ...first.lines.slice(1)] };
    }
  } else {
    const extra = el.tag === 'ul' || el.tag === 'ol' || el.tag === 'blockquote' ? 18 : 0;
    layoutChildren(el.children, style, css, base, width, indent + extra, flow, heading);
  }
  flow.addMargin(toPt(d['margin-bottom'], style.size) ?? margin);
  if (isBreakAlways(d['page-break-after'] ?? d['break-after'])) flow.pageBreak();
};

const childElements = (el: HtmlElement, tags: readonly string[]): HtmlElement[] =>
  el.children.flatMap((c) =>
    c.type !== 'element' ? [] : tags.includes(c.tag) ? [c] : ['tbody', 'thead', 'tfoot'].includes(c.tag) ? childElements(c, tags) : [],
  );

/** A table: each row is one unbreakable item; column widths from the first row's `width`s. */
const layoutTable = (table: HtmlElement, style: Style, css: Css, base: number, available: number, indent: number, flow: Flow) => {
  const d = declarations(table, css);
  const tableWidth = Math.min(available, toPt(d.width ?? table.attrs.width, style.size, available) ?? available);
  const border = Number(table.attrs.border ?? 0) > 0;
  const rows = childElements(table, ['tr']).map((tr) => childElements(tr, ['td', 'th']));
  const columns = Math.max(0, ...rows.map((cells) => cells.reduce((n, c) => n + Math.max(1, Number(c.attrs.colspan ?? 1) || 1), 0)));
  if (columns === 0) return;
  const widths: (number | undefined)[] = new Array(columns).fill(undefined);
  let col = 0;
  for (const cell of rows[0] ?? []) {
    const span = Math.max(1, Number(cell.attrs.colspan ?? 1) || 1);
    const w = toPt(declarations(cell, css).width ?? cell.attrs.width, style.size, tableWidth);
    if (span === 1 && w !== undefined) widths[col] = w;
    col += span;
  }
  const fixed = widths.reduce<number>((n, w) => n + (w ?? 0), 0);
  const free = widths.filter((w) => w === undefined).length;
  const share = free ? Math.max(0, tableWidth - fixed) / free : 0;
  const colWidths = widths.map((w) => w ?? share);
  for (const cells of rows) {
    let x = indent;
    let c = 0;
    const lines: Line[] = [];
    const cellBoxes: { x: number; width: number }[] = [];
    let height = 0;
    for (const cell of cells) {
      const span = Math.max(1, Number(cell.attrs.colspan ?? 1) || 1);
      const w = colWidths.slice(c, c + span).reduce((n, v) => n + v, 0);
      const cellStyle = computeStyle(cell, style, css, base);
      const inner = new Flow();
      layoutChildren(cell.children, cellStyle, css, base, Math.max(1, w - 2 * CELL_PADDING), 0, inner);
      let y = CELL_PADDING;
      inner.items.forEach((item, i) => {
        if (i > 0) y += item.marginTop;
        for (const l of item.lines) lines.push({ ...l, x: l.x + x + CELL_PADDING, top: l.top + y });
        y += item.height;
      });
      height = Math.max(height, y + CELL_PADDING);
      cellBoxes.push({ x, width: w });
      x += w;
      c += span;
    }
    const boxes = border ? cellBoxes.map((b) => ({ x: b.x, y: 0, width: b.width, height })) : [];
    flow.push({ height, lines, boxes });
  }
};
