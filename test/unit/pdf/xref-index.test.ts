import { type PDFArray, type PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFString } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { findField } from '../../../shared/pdf/form-fields.js';
import { IncrementalUpdate, objectBytes } from '../../../shared/pdf/incremental-update.js';
import { lazyObjectOffsets, loadPdfLazily } from '../../../shared/pdf/lazy-load.js';
import { loadPdf } from '../../../shared/pdf/pdf-structure.js';
import { makeTestPdf } from '../../bench/engine-bench.js';

const text = (o: unknown) => Buffer.from(objectBytes(o as never)).toString('latin1');

/** Appends an update: `objects` (number → body) and a cross-reference table with the given rows. */
const appendUpdate = (pdf: Uint8Array, objects: Map<number, string>, rows: (offsets: Map<number, number>) => string) => {
  const base = Buffer.from(pdf).toString('latin1');
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(base)?.[1]);
  const size = Number(/\/Size (\d+)/.exec(base.slice(prev))?.[1]);
  const root = /\/Root (\d+ \d+ R)/.exec(base.slice(prev))?.[1];
  let out = base;
  const offsets = new Map<number, number>();
  for (const [num, body] of objects) {
    offsets.set(num, out.length);
    out += `${num} 0 obj\n${body}\nendobj\n`;
  }
  const xrefAt = out.length;
  out += `xref\n${rows(offsets)}trailer\n<< /Size ${size} /Root ${root} /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
};

const row = (offset: number) => `${String(offset).padStart(10, '0')} 00000 n\r\n`;

describe('which cross-reference section lists an object (index of small subsections)', () => {
  it('a newer section with a large subsection wins over an older small one, and a newer small one over both', async () => {
    const original = await makeTestPdf(200);
    const full = await loadPdf(original);
    const size = full.tail.size;
    expect(size).toBeGreaterThan(300);
    const infoNumber = (full.doc.context.trailerInfo.Info as PDFRef).objectNumber;
    // Update 1: a small subsection redefines the Info dictionary.
    const first = appendUpdate(
      original,
      new Map([[infoNumber, '<< /Title (one) >>']]),
      (o) => `${infoNumber} 1\n${row(o.get(infoNumber) as number)}`,
    );
    // Update 2: one large subsection (every object, unchanged ones at their current offsets) redefines it again.
    const where = lazyObjectOffsets(loadPdfLazily(first).doc) as (n: number) => number | 'stream' | undefined;
    const second = appendUpdate(first, new Map([[infoNumber, '<< /Title (two) >>']]), (o) => {
      let rows = `0 ${size}\n0000000000 65535 f\r\n`;
      for (let n = 1; n < size; n++) rows += row(n === infoNumber ? (o.get(n) as number) : (where(n) as number));
      return rows;
    });
    expect(text(loadPdfLazily(second).doc.context.lookup(PDFRef.of(infoNumber)))).toContain('(two)');
    // Update 3: a small subsection again.
    const third = appendUpdate(
      second,
      new Map([[infoNumber, '<< /Title (three) >>']]),
      (o) => `${infoNumber} 1\n${row(o.get(infoNumber) as number)}`,
    );
    for (const [pdf, title] of [
      [first, 'one'],
      [second, 'two'],
      [third, 'three'],
    ] as const) {
      const lazy = loadPdfLazily(pdf).doc.context;
      expect(text(lazy.lookup(PDFRef.of(infoNumber)))).toContain(`(${title})`);
      // Every object agrees with pdf-lib's full parse.
      for (const [ref, object] of (await loadPdf(pdf)).doc.context.enumerateIndirectObjects()) {
        expect(text(lazy.lookup(ref)), `object ${ref.toString()}`).toBe(text(object));
      }
    }
  });
});

describe('finding a field by name without decoding the others', () => {
  it('matches /T however it is spelt: literal, plain or UTF-16 hex, lower case, with whitespace', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const ctx = doc.context;
    const spellings: [string, PDFString | PDFHexString][] = [
      ['alpha', PDFString.of('alpha')],
      ['beta', PDFHexString.of('62657461')],
      ['Chữ ký của An', PDFHexString.fromText('Chữ ký của An')],
      ['gamma', PDFHexString.of('feff00670061006d006d0061')],
      ['delta', PDFHexString.of('FEFF 0064 0065 006C 0074 0061')],
      ['é', PDFHexString.of('e9')],
      ['odd', PDFHexString.of('6f646')],
    ];
    const refs = spellings.map(([, t]) => ctx.register(ctx.obj({ FT: 'Tx', T: t })));
    doc.catalog.set(PDFName.of('AcroForm'), ctx.register(ctx.obj({ Fields: refs })));
    const pdf = await doc.save({ useObjectStreams: false });
    const update = new IncrementalUpdate(loadPdfLazily(pdf));
    // pdf-lib's reading of each /T is the oracle (what the field is called once parsed).
    const decoded = spellings.map(([, t]) => t.decodeText());
    expect(decoded.slice(0, 4)).toEqual(spellings.slice(0, 4).map(([name]) => name));
    for (const name of [...decoded, 'alph', 'Alpha', 'betaa', 'Chữ ký của Anh', 'gamm', 'e', '', 'delta']) {
      const wanted = decoded.indexOf(name);
      expect(findField(update, name)?.ref.toString(), name).toBe(wanted < 0 ? undefined : refs[wanted]?.toString());
    }
    const acro = update.context.lookup(PDFRef.of((doc.catalog.get(PDFName.of('AcroForm')) as PDFRef).objectNumber)) as PDFDict;
    expect((acro.lookup(PDFName.of('Fields')) as PDFArray).size()).toBe(spellings.length);
  });
});
