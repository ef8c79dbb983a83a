import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { loadPdf } from '../../../shared/pdf/pdf-structure.js';
import { fixture, VALID_FIXTURES } from '../../support/api.js';

const codeOf = async (bytes: Uint8Array) => {
  try {
    await loadPdf(bytes);
    return 'accepted';
  } catch (e) {
    return e instanceof AppError ? e.code : `unexpected: ${(e as Error).message}`;
  }
};

describe('loadPdf', () => {
  it.each(VALID_FIXTURES)('accepts %s and reads the kind of its last cross-reference section', async (name) => {
    const pdf = await loadPdf(fixture(name));
    expect(pdf.doc.getPageCount()).toBeGreaterThan(0);
    expect(pdf.tail.kind).toBe(name.includes('objstm') ? 'stream' : 'table');
    expect(pdf.tail.size).toBeGreaterThan(10);
  });

  it.each([
    ['encrypted.pdf', 'encrypted_pdf'],
    ['truncated.pdf', 'invalid_pdf'],
    ['not-a-pdf.pdf', 'invalid_pdf'],
  ])('rejects %s with %s', async (name, code) => {
    expect(await codeOf(fixture(name))).toBe(code);
  });

  it('rejects empty input and a PDF whose startxref points nowhere', async () => {
    expect(await codeOf(new Uint8Array())).toBe('empty_document');
    const good = Buffer.from(fixture('hop-dong-dien.pdf')).toString('latin1');
    const broken = good.replace(/startxref\s+\d+/, 'startxref\n99');
    expect(await codeOf(new Uint8Array(Buffer.from(broken, 'latin1')))).toBe('invalid_pdf');
  });
});
