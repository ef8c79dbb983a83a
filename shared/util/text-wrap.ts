/**
 * Greedy word wrapping in linear time. Each character's width is looked up once per distinct
 * character (memoised) and summed, so a 250,000-character word costs 250,000 additions — never
 * a re-measurement of growing prefixes (which made certificates and templates quadratic).
 * Summing advance widths ignores kerning, which only ever makes a line slightly narrower than
 * measured: a line never overflows.
 */
export const charWidths = (measure: (ch: string) => number): ((ch: string) => number) => {
  const cache = new Map<string, number>();
  return (ch) => {
    let w = cache.get(ch);
    if (w === undefined) {
      w = measure(ch);
      cache.set(ch, w);
    }
    return w;
  };
};

/** Splits `text` into lines no wider than `maxWidth`: at whitespace, and anywhere inside a word longer than a line. */
export const wrapText = (text: string, maxWidth: number, widthOf: (ch: string) => number): string[] => {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    for (const token of paragraph.split(/(\s+)/)) {
      if (!token) continue;
      const isSpace = /^\s+$/.test(token);
      const chars = Array.from(isSpace ? ' ' : token);
      let tokenWidth = 0;
      for (const ch of chars) tokenWidth += widthOf(ch);
      if (lineWidth + tokenWidth <= maxWidth) {
        line += isSpace ? ' ' : token;
        lineWidth += tokenWidth;
        continue;
      }
      if (isSpace) continue; // a break: the space is dropped
      if (line.trim()) lines.push(line.trimEnd());
      line = '';
      lineWidth = 0;
      for (const ch of chars) {
        const w = widthOf(ch);
        if (lineWidth + w > maxWidth && line) {
          lines.push(line);
          line = '';
          lineWidth = 0;
        }
        line += ch;
        lineWidth += w;
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
};
