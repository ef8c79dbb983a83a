import { describe, expect, it } from 'vitest';
import { byteRangeNames, hasObjStmAfter, lastKeyNumber, scanObjectHeaders } from '../../../shared/pdf/pdf-bytes.js';
import { fixturePdf } from '../../fixtures/fixtures.js';
import { signedDocument } from '../verify/documents.js';

// The byte scanners must give exactly what the regular expressions they replace gave on the
// file read as Latin-1 (shared/pdf/pdf-bytes.ts): compared here on real files and on
// random soups of the characters that matter.
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const OBJ = /(?:^|[\s>])(\d{1,10})\s+(\d{1,5})\s+obj\b/g;
const BYTE_RANGE = new RegExp(
  `/${[...'ByteRange'].map((c) => `(?:${c}|#${c.charCodeAt(0).toString(16)}|#${c.charCodeAt(0).toString(16).toUpperCase()})`).join('')}(?![^\\s/<>\\[\\]()%{}])`,
  'g',
);
const byRegex = (bytes: Uint8Array) => {
  const text = latin1(bytes);
  return {
    headers: [...text.matchAll(OBJ)].map((m) => ({
      at: (m.index ?? 0) + m[0].indexOf(m[1] as string),
      body: (m.index ?? 0) + m[0].length,
      num: Number(m[1]),
      gen: Number(m[2]),
    })),
    byteRanges: [...text.matchAll(BYTE_RANGE)].map((m) => m.index),
  };
};
const lastByRegex = (bytes: Uint8Array, re: RegExp, from: number, to: number) => {
  const all = [...latin1(bytes).slice(from, to).matchAll(re)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
};

/** Random bytes drawn mostly from the characters the scanners look at, so near-misses are common. */
const soup = (seed: number, length: number): Uint8Array => {
  const alphabet = [...' \t\n\r\x0b\x0c\xa0>/#0123456789obj_ByteRangeRootSize42796574526e6E61ObjStmR<[%'].map((c) => c.charCodeAt(0));
  let x = seed;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x % 7 === 0 ? x & 0xff : (alphabet[x % alphabet.length] as number);
  }
  return out;
};
const words = (seed: number): Uint8Array => {
  const pieces = [
    '1 0 obj',
    ' 12 0 obj',
    '>3 0 obj',
    '12345678901 0 obj',
    '1 123456 obj',
    '4 0 objx',
    '5 0 obj_',
    '\xa07\x0b0\x0cobj',
    '/ByteRange',
    '/B#79teRange',
    '/#42yt#65R#61#6Ege',
    '/#42yt#65R#61#6eg#65',
    '/ByteRangeX',
    '/ByteRange[',
    '/ByteRange#20',
    '/Root 3 0 R',
    '/Root\n12\r0 R',
    '/Root 4 0R',
    '/Root 5 R',
    '/Size 9',
    '/Size\xa010',
    '/ObjStm',
    '/ObjStmX',
    '/ObjStm ',
    ' ',
    '\n',
    'x',
    '9',
  ];
  let x = seed;
  let s = '';
  for (let i = 0; i < 400; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += pieces[x % pieces.length];
  }
  return new Uint8Array(Buffer.from(s, 'latin1'));
};

describe('byte scanners (pdf-bytes.ts) against the regular expressions they replace', () => {
  it('agree on real files (signed B-LTA, an unsigned contract)', async () => {
    const { pdf } = await signedDocument({ signers: 2 });
    for (const bytes of [pdf, fixturePdf('hop-dong-lao-dong.pdf')]) {
      const expected = byRegex(bytes);
      expect(scanObjectHeaders(bytes)).toEqual(expected.headers);
      expect(byteRangeNames(bytes)).toEqual(expected.byteRanges);
      expect(expected.headers.length).toBeGreaterThan(10);
    }
    expect(byteRangeNames(pdf)).toHaveLength(3);
  });

  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('agree on generated text %i', (seed) => {
    for (const bytes of [soup(seed, 3000), words(seed)]) {
      const expected = byRegex(bytes);
      if (bytes.length !== 3000) expect(expected.headers.length * expected.byteRanges.length).toBeGreaterThan(0);
      expect(scanObjectHeaders(bytes)).toEqual(expected.headers);
      expect(byteRangeNames(bytes)).toEqual(expected.byteRanges);
      for (const [from, to] of [
        [0, bytes.length],
        [seed * 7, bytes.length - seed * 3],
        [bytes.length >> 1, bytes.length],
      ] as [number, number][]) {
        expect(lastKeyNumber(bytes, 'Root', from, to)).toEqual(lastByRegex(bytes, /\/Root\s+(\d+)\s+\d+\s+R/g, from, to));
        expect(lastKeyNumber(bytes, 'Size', from, to)).toEqual(lastByRegex(bytes, /\/Size\s+(\d+)/g, from, to));
        expect(hasObjStmAfter(bytes, from)).toBe(/\/ObjStm\b/.test(latin1(bytes).slice(from)));
      }
    }
  });
});
