import { describe, expect, it } from 'vitest';
import { BerError, parseBer, readBer, stringOf, timeOf } from '../../../shared/verify/ber.js';
import { namesEqual } from '../../../shared/verify/read-certificate.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const time = (tag: number, s: string) => timeOf(parseBer(new Uint8Array([tag, s.length, ...Buffer.from(s, 'latin1')])), 'time');

describe('BER reader (verification)', () => {
  it('definite, long-form and indefinite lengths; truncation is an error', () => {
    const seq = parseBer(hex('30 80 02 01 05 04 02 aa bb 00 00'));
    expect(seq.children().map((c) => [c.tag, Buffer.from(c.content).toString('hex')])).toEqual([
      [2, '05'],
      [4, 'aabb'],
    ]);
    expect(seq.end).toBe(11);
    expect(readBer(hex('04 81 02 01 02'), 0).content).toEqual(hex('0102'));
    expect(() => parseBer(hex('30 05 02 01'))).toThrow(BerError);
    expect(() => parseBer(hex('30 80 02 01 05'))).toThrow(BerError);
  });

  it('times as asn1js reads them: UTCTime 50–99 is 19xx, GeneralizedTime fractions and offsets', () => {
    expect(time(23, '491231235959Z').toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(time(23, '500101000000Z').toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(time(24, '20261202045530.25Z').toISOString()).toBe('2026-12-02T04:55:30.250Z');
    expect(time(24, '20261202115530+0700').toISOString()).toBe('2026-12-02T04:55:30.000Z');
    expect(() => time(24, '2026-12-02')).toThrow(BerError);
  });

  it('strings: UTF-8 with Vietnamese diacritics, BMPString, PrintableString; names compared as pkijs did', () => {
    const utf8 = Buffer.from('Nguyễn Văn An', 'utf8');
    expect(stringOf(parseBer(new Uint8Array([0x0c, utf8.length, ...utf8])))).toBe('Nguyễn Văn An');
    expect(stringOf(parseBer(hex('1e 04 00 c4 01 03')))).toBe('Äă');
    expect(stringOf(parseBer(hex('13 02 56 4e')))).toBe('VN');
    expect(stringOf(parseBer(hex('02 01 05')))).toBeUndefined();
    // CN=Kyso  Test (UTF8String) vs CN=kyso test (PrintableString): equal after preparation.
    const name = (tag: number, s: string) => {
      const v = Buffer.from(s, 'latin1');
      const atv = [0x06, 0x03, 0x55, 0x04, 0x03, tag, v.length, ...v];
      const set = [0x31, atv.length + 2, 0x30, atv.length, ...atv];
      return parseBer(new Uint8Array([0x30, set.length, ...set]));
    };
    expect(namesEqual(name(0x0c, 'Kyso  Test'), name(0x13, 'kyso test'))).toBe(true);
    expect(namesEqual(name(0x0c, 'Kyso Test'), name(0x0c, 'Kyso Tests'))).toBe(false);
  });
});
