import { describe, expect, it } from 'vitest';
import {
  DictScanError,
  rangeInteger,
  rangeText,
  scanDict,
  scanDictRanges,
  scanObjectDict,
  streamContentsAt,
} from '../../../shared/pdf/dict-scan.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const entries = (s: string, keys: string[]) => {
  const b = bytes(s);
  const found = scanDict(b, 0, keys);
  return Object.fromEntries(keys.map((k) => [k, rangeText(b, found.get(k))]));
};

describe('reading top-level dictionary entries without parsing', () => {
  it('finds only top-level keys, past nested dictionaries, arrays, strings and references', () => {
    const dict =
      '<< /A << /Prev 1 /T (inner) >> /B [ /Prev 2 << /T <00> >> (a ] [ >> \\) ) ] /Str (x \\) (nested) >> /T) ' +
      '/Ref 12 0 R /T <FEFF 0041> /Prev 345 /Size 7 % comment /Prev 9\n/Last /Name >>';
    expect(entries(dict, ['Prev', 'T', 'Ref', 'Size', 'Last', 'Missing'])).toEqual({
      Prev: '345',
      T: '<FEFF 0041>',
      Ref: '12 0 R',
      Size: '7',
      Last: '/Name',
      Missing: undefined,
    });
  });

  it('reads integers only when direct, and an object header before its dictionary', () => {
    const b = bytes('7 0 obj\n<</Count 12/Kids[3 0 R 4 0 R]/Parent 2 0 R/Type/Pages>>\nendobj');
    const { objectNumber, entries: found } = scanObjectDict(b, 0, ['Count', 'Parent', 'Type']);
    expect(objectNumber).toBe(7);
    expect(rangeInteger(b, found.get('Count'))).toBe(12);
    expect(rangeInteger(b, found.get('Parent'))).toBeUndefined();
    expect(rangeText(b, found.get('Type'))).toBe('/Pages');
  });

  it.each([
    ['a key written with #xx escapes', '<< /P#72ev 5 >>'],
    ['a dictionary that never ends', '<< /Size 5 /T (open'],
    ['no dictionary', '[ 1 2 ]'],
    ['a stray delimiter', '<< /Prev ) >>'],
    ['nesting deeper than 32', `<< /A ${'['.repeat(40)} >>`],
  ])('refuses %s (the caller parses the object instead)', (_, text) => {
    expect(() => scanDict(bytes(text), 0, ['Prev'])).toThrow(DictScanError);
  });

  it('stops at the last key wanted once every one is found (the first occurrence counts)', () => {
    const text = '<< /T (a) /Prev 5 /T (b) /Rest (never read';
    const found = scanDict(bytes(text), 0, ['Prev', 'T']);
    expect([...found.keys()].sort()).toEqual(['Prev', 'T']);
    expect(text.slice(...(found.get('T') as [number, number]))).toBe('(a)');
    expect(() => scanDict(bytes(text), 0, ['Prev', 'Rest', 'Missing'])).toThrow(DictScanError);
  });

  it('writes ranges into a reused array (-1 for a key that is absent), after a scan that failed too', () => {
    const out = new Int32Array(6).fill(99);
    expect(() => scanDictRanges(bytes('<< /Prev ) >>'), 0, ['Prev'], out)).toThrow(DictScanError);
    const text = '  << /Size 3 /ID [<AB> <CD>] /Prev 120 >>';
    scanDictRanges(bytes(text), 0, ['Prev', 'XRefStm', 'ID'], out);
    expect(text.slice(out[0], out[1])).toBe('120');
    expect([out[2], out[3]]).toEqual([-1, -1]);
    expect(text.slice(out[4], out[5])).toBe('[<AB> <CD>]');
  });

  it('read to the end, refuses a wanted key written twice (pdf-lib keeps the last) and finds where stream contents lie', () => {
    expect(() => scanDictRanges(bytes('<< /Filter /FlateDecode /Filter /LZWDecode >>'), 0, ['Filter'], [], true)).toThrow(DictScanError);
    const text = '<< /Length 5 /Filter /FlateDecode >>\nstream\r\nABCDE\nendstream';
    const out: number[] = [];
    const end = scanDictRanges(bytes(text), 0, ['Length', 'Filter'], out, true);
    const range = streamContentsAt(bytes(text), end, rangeInteger(bytes(text), [out[0] as number, out[1] as number]));
    expect(range && text.slice(...range)).toBe('ABCDE');
    // A /Length that does not end where `endstream` is: pdf-lib would search, so the caller parses.
    expect(streamContentsAt(bytes(text), end, 4)).toBeUndefined();
    expect(streamContentsAt(bytes(text), end, undefined)).toBeUndefined();
  });
});
