import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { parseCsv } from '../../../shared/templates/csv.js';

const rows = (csv: string) => parseCsv(csv).map((r) => r.fields);

describe('parseCsv (RFC 4180)', () => {
  it('reads a header and rows, dropping a UTF-8 BOM and keeping Vietnamese text intact', () => {
    const csv = '\uFEFFho_ten,dia_chi\r\nNguyễn Văn An,"Số 1, Tràng Tiền, Hoàn Kiếm"\r\nTrần Thị Bích Ngọc,Đà Nẵng\r\n';
    expect(rows(csv)).toEqual([
      ['ho_ten', 'dia_chi'],
      ['Nguyễn Văn An', 'Số 1, Tràng Tiền, Hoàn Kiếm'],
      ['Trần Thị Bích Ngọc', 'Đà Nẵng'],
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields, and reports the line each record starts on', () => {
    const csv = 'a,b\n"x, y","say ""xin chào"""\n"dòng 1\ndòng 2",z\nlast,row';
    const parsed = parseCsv(csv);
    expect(parsed.map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['x, y', 'say "xin chào"'],
      ['dòng 1\ndòng 2', 'z'],
      ['last', 'row'],
    ]);
    expect(parsed.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it.each([
    ['LF', 'a,b\n1,2\n'],
    ['CRLF', 'a,b\r\n1,2\r\n'],
    ['CR', 'a,b\r1,2\r'],
    ['no final newline', 'a,b\n1,2'],
  ])('accepts %s line endings', (_, csv) => {
    expect(rows(csv)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('skips blank lines but keeps empty fields and a row of one empty quoted field', () => {
    expect(rows('a,b,c\n\n1,,3\n\n""\n')).toEqual([['a', 'b', 'c'], ['1', '', '3'], ['']]);
  });

  it('detects ";" as the delimiter when the header uses it (Excel in Vietnamese locale)', () => {
    expect(rows('ho_ten;luong\n"Lê, Văn Cường";12.500.000,5\n')).toEqual([
      ['ho_ten', 'luong'],
      ['Lê, Văn Cường', '12.500.000,5'],
    ]);
  });

  it('keeps a quote inside an unquoted field as text, like Excel', () => {
    expect(rows('a\n5" màn hình\n')).toEqual([['a'], ['5" màn hình']]);
  });

  it('refuses an unterminated quoted field with the line it starts on', () => {
    expect(() => parseCsv('a,b\n1,"never closed\n2,3\n')).toThrow(AppError);
    expect(() => parseCsv('a,b\n1,"never closed\n2,3\n')).toThrow(/line 2/);
  });
});
