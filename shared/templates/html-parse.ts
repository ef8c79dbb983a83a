/**
 * A small HTML parser for contract templates: enough of HTML to read what HR systems and
 * the fixtures write (headings, paragraphs, inline emphasis, line breaks, simple tables),
 * with `<style>` rules on bare tag selectors and inline `style` attributes. It never
 * executes or fetches anything; unknown tags are treated as their content.
 */
export interface HtmlElement {
  readonly type: 'element';
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: HtmlNode[];
}
export interface HtmlText {
  readonly type: 'text';
  readonly text: string;
}
export type HtmlNode = HtmlElement | HtmlText;

export interface ParsedHtml {
  readonly body: HtmlElement;
  /** Declarations of `<style>` rules whose selector is a bare tag name, by tag. */
  readonly css: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

const VOID = new Set(['br', 'hr', 'img', 'meta', 'link', 'input', 'col', 'wbr']);
const RAW_TEXT = new Set(['style', 'script', 'title', 'textarea']);
/** Opening one of these closes an open element of the listed tags (the parser's implied end tags). */
const IMPLIED_CLOSE: Record<string, readonly string[]> = {
  p: ['p'],
  li: ['li'],
  tr: ['tr', 'td', 'th'],
  td: ['td', 'th'],
  th: ['td', 'th'],
  h1: ['p'],
  h2: ['p'],
  h3: ['p'],
  table: ['p'],
  div: ['p'],
};

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  laquo: '«',
  raquo: '»',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  copy: '©',
  reg: '®',
  deg: '°',
  middot: '·',
  bull: '•',
  times: '×',
};

export const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, body: string) => {
    if (body[0] === '#') {
      const cp = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return NAMED[body.toLowerCase()] ?? m;
  });

const parseAttrs = (s: string): Record<string, string> => {
  const attrs: Record<string, string> = {};
  for (const m of s.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    attrs[(m[1] as string).toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
};

/** `a: b; c: d` → { a: 'b', c: 'd' } (lower-case property names). */
export const parseDeclarations = (s: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const decl of s.split(';')) {
    const i = decl.indexOf(':');
    if (i > 0) out[decl.slice(0, i).trim().toLowerCase()] = decl.slice(i + 1).trim();
  }
  return out;
};

const parseCss = (css: string, into: Map<string, Record<string, string>>) => {
  for (const m of css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    const decls = parseDeclarations(m[2] as string);
    for (const sel of (m[1] as string).split(',')) {
      const tag = sel.trim().toLowerCase();
      if (/^[a-z][a-z0-9]*$/.test(tag)) into.set(tag, { ...(into.get(tag) ?? {}), ...decls });
    }
  }
};

export const parseHtml = (html: string): ParsedHtml => {
  const root: HtmlElement = { type: 'element', tag: '#root', attrs: {}, children: [] };
  const stack: HtmlElement[] = [root];
  const css = new Map<string, Record<string, string>>();
  const top = () => stack[stack.length - 1] as HtmlElement;
  const re =
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<\?[^>]*>|<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</g;
  let m: RegExpExecArray | null = re.exec(html);
  while (m !== null) {
    const token = m[0];
    const tag = m[2]?.toLowerCase();
    if (!tag) {
      if (!token.startsWith('<!') && !token.startsWith('<?')) top().children.push({ type: 'text', text: decodeEntities(token) });
    } else if (m[1]) {
      const at = stack.map((e) => e.tag).lastIndexOf(tag);
      if (at > 0) stack.length = at;
    } else {
      const closes = IMPLIED_CLOSE[tag];
      if (closes) {
        // Only within the nearest table cell/row boundary, like the HTML parser's scopes.
        for (let i = stack.length - 1; i > 0; i--) {
          const open = (stack[i] as HtmlElement).tag;
          if (closes.includes(open)) {
            stack.length = i;
            break;
          }
          if (open === 'table' || (open === 'td' && tag !== 'tr' && tag !== 'td' && tag !== 'th')) break;
        }
      }
      const el: HtmlElement = { type: 'element', tag, attrs: parseAttrs(m[3] ?? ''), children: [] };
      if (RAW_TEXT.has(tag)) {
        const end = html.toLowerCase().indexOf(`</${tag}`, re.lastIndex);
        const content = html.slice(re.lastIndex, end < 0 ? html.length : end);
        if (tag === 'style') parseCss(content, css);
        const close = end < 0 ? html.length : html.indexOf('>', end) + 1;
        re.lastIndex = close > 0 ? close : html.length;
      } else {
        top().children.push(el);
        if (!VOID.has(tag) && !token.endsWith('/>')) stack.push(el);
      }
    }
    m = re.exec(html);
  }
  const findBody = (el: HtmlElement): HtmlElement | undefined => {
    if (el.tag === 'body') return el;
    for (const c of el.children) {
      if (c.type === 'element') {
        const b = findBody(c);
        if (b) return b;
      }
    }
    return undefined;
  };
  const withoutHead = (el: HtmlElement): HtmlElement => ({
    ...el,
    children: el.children.filter((c) => c.type === 'text' || c.tag !== 'head'),
  });
  const html_ = root.children.find((c): c is HtmlElement => c.type === 'element' && c.tag === 'html');
  return { body: findBody(root) ?? withoutHead(html_ ?? root), css };
};
