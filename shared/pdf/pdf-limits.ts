import { constants, createInflateRaw, inflateRawSync } from 'node:zlib';
import { AppError } from '../errors.js';
import { isAllHex, isAsciiDigit, isJsSpace, isWordChar } from './pdf-bytes.js';

/**
 * A cheap pre-scan of an untrusted PDF, run BEFORE pdf-lib sees it (pdf-lib inflates object
 * streams while loading and holds every object in memory: a 4 MB object stream that inflates
 * to gigabytes once took the server to 6 GB). It walks the raw bytes once, without building
 * objects: counts indirect objects (incl. those inside object streams and the entries xref
 * streams declare), and inflates every Flate stream with a hard cap per stream and in total,
 * so time and memory are bounded by the limits, not by the file. Filters pdf-lib would decode
 * at load but we cannot bound (LZW, RunLength) are refused on object and xref streams.
 * It also notes active content (JavaScript, OpenAction/AA, launch actions, embedded files,
 * XFA) in the file's dictionaries and object streams — names may be #-escaped, so names are
 * decoded first.
 */

export interface PdfLimits {
  /** All Flate streams together, inflated. */
  readonly maxInflatedBytes: number;
  /** One stream, inflated (after a whole filter chain). */
  readonly maxStreamInflatedBytes: number;
  /**
   * One object or xref stream, inflated: pdf-lib inflates these while loading, and real ones
   * are small (a writer packs ~100 objects per stream; 200,000 xref entries are ~1.4 MB).
   */
  readonly maxObjectStreamInflatedBytes?: number;
  /** Indirect objects: top-level, inside object streams, and entries declared by xref streams. */
  readonly maxObjects: number;
  readonly maxStreams: number;
}

export const DEFAULT_PDF_LIMITS: PdfLimits = {
  maxInflatedBytes: 256 * 1024 * 1024,
  maxStreamInflatedBytes: 64 * 1024 * 1024,
  maxObjectStreamInflatedBytes: 16 * 1024 * 1024,
  maxObjects: 200_000,
  maxStreams: 100_000,
};

export type ActiveContent = 'javascript' | 'open-action' | 'additional-actions' | 'launch-action' | 'embedded-files' | 'xfa';

export interface PdfScan {
  readonly objects: number;
  readonly streams: number;
  readonly inflatedBytes: number;
  readonly activeContent: readonly ActiveContent[];
}

const tooComplex = (why: string) => new AppError('pdf_too_complex', `The PDF is too large or too complex to process safely: ${why}.`);

const ACTIVE: readonly [RegExp, ActiveContent][] = [
  [/\/(JavaScript|JS)(?![A-Za-z0-9])/, 'javascript'],
  // An /OpenAction array is a destination (open at page n) and harmless; a dictionary is an action
  // (GoTo aside). An indirect one is judged where its object is (javascript, launch-action).
  [/\/OpenAction\s*<<(?![^>]*\/S\s*\/GoTo(?![A-Za-z]))/, 'open-action'],
  [/\/AA(?![A-Za-z0-9])/, 'additional-actions'],
  [/\/S\s*\/Launch(?![A-Za-z0-9])|\/Launch(?![A-Za-z0-9])/, 'launch-action'],
  [/\/(EmbeddedFiles?|EmbeddedFile)(?![A-Za-z0-9])/, 'embedded-files'],
  [/\/XFA(?![A-Za-z0-9])/, 'xfa'],
];

/** PDF names may spell any byte as #xx (/J#61vaScript): decode before matching. */
const decodeNames = (text: string): string =>
  text.includes('#')
    ? text.replace(/\/[^\s/<>[\]()%{}]*/g, (n) => n.replace(/#([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16))))
    : text;

const noteActive = (text: string, found: Set<ActiveContent>) => {
  const decoded = decodeNames(text);
  for (const [re, kind] of ACTIVE) if (re.test(decoded)) found.add(kind);
};

const filtersOf = (dict: string): string[] | undefined => {
  const m = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9#]+|\d+\s+\d+\s+R)/.exec(dict);
  if (!m?.[1]) return [];
  if (/R$/.test(m[1])) return undefined; // indirect: cannot be judged without parsing
  return [...m[1].matchAll(/\/([A-Za-z0-9#]+)/g)].map((x) => decodeNames(`/${x[1]}`).slice(1));
};

const intAfter = (dict: string, key: string): number | undefined => {
  const m = new RegExp(`/${key}\\s+(\\d+)(?!\\s+\\d+\\s+R)`).exec(dict);
  return m?.[1] ? Number(m[1]) : undefined;
};

const tooLarge = () => tooComplex('a stream inflates beyond the limit');

/**
 * Inflates a Flate stream the way pdf-lib does (2-byte zlib header skipped, no Adler-32 check,
 * trailing bytes ignored), with a hard output cap. Fast path: one synchronous call. A stream
 * that is corrupt part-way still costs pdf-lib everything before the corruption, so then the
 * output up to the error is collected (streaming, still capped) and counted.
 */
const inflateCapped = async (data: Uint8Array, cap: number): Promise<Buffer> => {
  const raw = data.subarray(2);
  try {
    // Node's default 16 KB chunks: a 64 KB output buffer per stream cost more than it saved on a
    // signed file's ~20 small streams (fonts, appearances).
    return inflateRawSync(raw, { maxOutputLength: cap + 1, finishFlush: constants.Z_SYNC_FLUSH });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw tooLarge();
  }
  return new Promise((resolve, reject) => {
    const z = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH });
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks));
    z.on('data', (c: Buffer) => {
      size += c.length;
      if (size > cap) {
        z.destroy();
        reject(tooLarge());
      } else chunks.push(c);
    });
    z.on('error', done);
    z.on('end', done);
    z.end(raw);
  });
};

/** /[^\s()<>[\]{}/%]/ on one Latin-1 character. */
const isRegular = (c: number | undefined) =>
  c !== undefined &&
  !isJsSpace(c) &&
  c !== 0x28 &&
  c !== 0x29 &&
  c !== 0x3c &&
  c !== 0x3e &&
  c !== 0x5b &&
  c !== 0x5d &&
  c !== 0x7b &&
  c !== 0x7d &&
  c !== 0x2f &&
  c !== 0x25;

/** PDF whitespace as pdf-lib skips it before `stream`: /[\0\t\n\f\r ]/. */
const isPdfSpace = (c: number | undefined) => c === 0 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;

const startsWith = (buf: Buffer, word: string, at: number): boolean => {
  if (at < 0 || at + word.length > buf.length) return false;
  for (let k = 0; k < word.length; k++) if (buf[at + k] !== word.charCodeAt(k)) return false;
  return true;
};

/**
 * The next match of /(\d+)\s+(\d+)\s+obj\b/g from `from` (its start and end), read backwards
 * from each "obj" and never before `from`, as the regular expression over the file read as
 * Latin-1 would find it (the walk reads bytes: a whole-file string costs more than the scan).
 */
const nextObject = (buf: Buffer, from: number): { start: number; end: number } | undefined => {
  for (let p = buf.indexOf('obj', from, 'latin1'); p >= 0; p = buf.indexOf('obj', p + 1, 'latin1')) {
    if (isWordChar(buf[p + 3])) continue;
    let i = p - 1;
    const run = (test: (c: number | undefined) => boolean) => {
      const s = i;
      while (i >= from && test(buf[i])) i--;
      return s - i;
    };
    if (!run(isJsSpace) || !run(isAsciiDigit) || !run(isJsSpace) || !run(isAsciiDigit)) continue;
    return { start: i + 1, end: p + 3 };
  }
  return undefined;
};

/**
 * End of the dictionary opening at `at` ('<<'), or -1. Strings, hex strings and comments are
 * skipped; a bare keyword (stream, endobj, obj) inside means the dictionary is broken, which
 * also keeps the walk linear in the file (it never runs past the next object).
 */
const dictEnd = (buf: Buffer, at: number, hexStrings?: number[]): number => {
  let depth = 0;
  for (let i = at; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x3c && buf[i + 1] === 0x3c) {
      depth++;
      i++;
    } else if (c === 0x3e && buf[i + 1] === 0x3e) {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    } else if (c === 0x3c) {
      const close = buf.indexOf(0x3e, i);
      if (close < 0) return -1;
      if (hexStrings && close - i > LONG_HEX && isAllHex(buf, i + 1, close)) hexStrings.push(i + 1, close);
      i = close;
    } else if (c === 0x28) {
      let nest = 0;
      for (; i < buf.length; i++) {
        const d = buf[i];
        if (d === 0x5c) i++;
        else if (d === 0x28) nest++;
        else if (d === 0x29 && --nest === 0) break;
      }
    } else if (c === 0x25) {
      while (i < buf.length && buf[i] !== 0x0a && buf[i] !== 0x0d) i++;
    } else if (c === 0x2f) {
      while (isRegular(buf[i + 1])) i++;
    } else if ((c === 0x73 || c === 0x65 || c === 0x6f) && !isRegular(buf[i - 1])) {
      if (startsWith(buf, 'stream', i) || startsWith(buf, 'endobj', i) || startsWith(buf, 'obj', i)) return -1;
    }
  }
  return -1;
};

/** Where stream data starts after the dictionary ending at `at` (pdf-lib's rule), or -1 when no stream follows. */
const streamDataStart = (buf: Buffer, at: number): number => {
  let i = at;
  while (i < buf.length && isPdfSpace(buf[i])) i++;
  if (!startsWith(buf, 'stream', i)) return -1;
  i += 6;
  for (const eol of [' \r\n', '\r\n', '\r', '\n']) if (startsWith(buf, eol, i)) return i + eol.length;
  return i;
};

/** A hex string this long (a signature's /Contents, 16–64 K) is left out of the active-content text. */
const LONG_HEX = 512;

/** Scans `bytes` and throws AppError('pdf_too_complex') when a limit is exceeded. */
export const scanPdf = async (bytes: Uint8Array, limits: PdfLimits = DEFAULT_PDF_LIMITS): Promise<PdfScan> => {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const active = new Set<ActiveContent>();
  let objects = 0;
  let streams = 0;
  let inflated = 0;
  // Everything but stream data, for the active-content check (names in dictionaries). The digits of
  // long hex strings are left out too: a string of hex digits holds no name, and its < and > stay,
  // so no pattern can match differently (and the text is not a third larger for every signature).
  const outside: string[] = [];
  const hexStrings: number[] = [];
  let nextHex = 0;
  const text = (from: number, to: number): string => {
    const pieces: string[] = [];
    let at = from;
    for (; nextHex < hexStrings.length && (hexStrings[nextHex] as number) < to; nextHex += 2) {
      const s = hexStrings[nextHex] as number;
      if (s < at) continue;
      pieces.push(buf.toString('latin1', at, s));
      at = hexStrings[nextHex + 1] as number;
    }
    pieces.push(buf.toString('latin1', at, to));
    return pieces.join('');
  };
  let outsideFrom = 0;
  let lastIndex = 0;
  for (;;) {
    const objectMatch = nextObject(buf, lastIndex);
    if (!objectMatch) break;
    lastIndex = objectMatch.end;
    objects++;
    if (objects > limits.maxObjects) throw tooComplex(`more than ${limits.maxObjects} objects`);
    let p = objectMatch.end;
    while (p < buf.length && isPdfSpace(buf[p])) p++;
    if (!startsWith(buf, '<<', p)) continue;
    const found: number[] = [];
    const end = dictEnd(buf, p, found);
    if (end < 0) continue;
    for (const x of found) hexStrings.push(x);
    const dataStart = streamDataStart(buf, end);
    if (dataStart < 0) {
      lastIndex = end;
      continue;
    }
    const dict = buf.toString('latin1', p, end);
    const length = intAfter(dict, 'Length');
    // pdf-lib trusts a direct /Length only when `endstream` follows it; else it searches, as here
    // (its search ends at or after ours, so the scan never skips what pdf-lib will parse).
    let dataEnd = length !== undefined && startsWith(buf, 'endstream', skipEol(buf, dataStart + length)) ? dataStart + length : -1;
    if (dataEnd < 0) dataEnd = buf.indexOf('endstream', dataStart, 'latin1');
    if (dataEnd < 0) dataEnd = buf.length;
    outside.push(text(outsideFrom, dataStart));
    outsideFrom = dataEnd;
    lastIndex = dataEnd;
    streams++;
    if (streams > limits.maxStreams) throw tooComplex(`more than ${limits.maxStreams} streams`);

    const isObjStm = /\/Type\s*\/ObjStm(?![A-Za-z0-9])/.test(dict);
    const isXref = /\/Type\s*\/XRef(?![A-Za-z0-9])/.test(dict);
    const filters = filtersOf(dict);
    if ((isObjStm || isXref) && (!filters || filters.some((f) => !BOUNDED_FILTERS.has(f)))) {
      throw tooComplex(`an ${isObjStm ? 'object' : 'xref'} stream uses a filter whose output cannot be bounded`);
    }
    if (isObjStm) {
      objects += intAfter(dict, 'N') ?? 0;
      if (objects > limits.maxObjects) throw tooComplex(`more than ${limits.maxObjects} objects`);
    }
    if (isXref) checkXrefStream(dict, limits);
    // Each Flate stage of the chain, capped. The data handed to the first stage runs to the end of
    // the file: inflation stops at the end of the deflate stream, wherever `endstream` was put.
    let data: Uint8Array = buf.subarray(dataStart);
    let measured = false;
    for (const f of filters ?? []) {
      if (f !== 'FlateDecode' && f !== 'Fl') break;
      const perStream =
        isObjStm || isXref
          ? Math.min(limits.maxStreamInflatedBytes, limits.maxObjectStreamInflatedBytes ?? Infinity)
          : limits.maxStreamInflatedBytes;
      const cap = Math.max(0, Math.min(perStream, limits.maxInflatedBytes - inflated));
      data = await inflateCapped(data, cap);
      measured = true;
    }
    if (measured) inflated += data.length;
    else data = buf.subarray(dataStart, dataEnd);
    if (isObjStm && (measured || !filters?.length)) noteActive(Buffer.from(data).toString('latin1'), active);
  }
  outside.push(text(outsideFrom, buf.length));
  for (const part of outside) noteActive(part, active);
  return { objects, streams, inflatedBytes: inflated, activeContent: [...active] };
};

const BOUNDED_FILTERS = new Set(['FlateDecode', 'Fl', 'ASCIIHexDecode', 'AHx', 'ASCII85Decode', 'A85']);

const checkXrefStream = (dict: string, limits: PdfLimits) => {
  const index = /\/Index\s*\[([^\]]*)\]/.exec(dict)?.[1];
  const counts = index
    ? index
        .trim()
        .split(/\s+/)
        .map(Number)
        .filter((_, i) => i % 2 === 1)
    : [intAfter(dict, 'Size') ?? 0];
  const declared = counts.reduce((a, b) => a + (Number.isFinite(b) ? b : Number.POSITIVE_INFINITY), 0);
  if (declared > limits.maxObjects * 2) throw tooComplex('the cross-reference stream declares too many entries');
  const w = /\/W\s*\[([^\]]*)\]/.exec(dict)?.[1]?.trim().split(/\s+/).map(Number) ?? [];
  if (w.length !== 3 || w.some((x) => !Number.isInteger(x) || x < 0 || x > 8) || w.reduce((a, b) => a + b, 0) === 0) {
    throw tooComplex('the cross-reference stream has an invalid /W');
  }
};

const skipEol = (buf: Buffer, at: number): number => {
  let i = at;
  while (buf[i] === 0x0d || buf[i] === 0x0a || buf[i] === 0x20) i++;
  return i;
};

/** The pre-scan as a guard: throws when over the limits, returns the scan otherwise. */
export const assertPdfWithinLimits = (bytes: Uint8Array, limits: PdfLimits = DEFAULT_PDF_LIMITS): Promise<PdfScan> =>
  scanPdf(bytes, limits);

/** Uploads Kyso will certify and send must not carry active content (what the signer sees must be what they sign). */
export const refuseActiveContent = (scan: PdfScan): void => {
  if (scan.activeContent.length) {
    throw new AppError(
      'active_content',
      `The PDF contains active content (${scan.activeContent.join(', ')}); remove it (e.g. print to PDF) and upload again.`,
      { activeContent: scan.activeContent },
    );
  }
};
