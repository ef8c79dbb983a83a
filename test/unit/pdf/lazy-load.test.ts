import { PDFDict, PDFName, type PDFRef } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { catalogOf } from '../../../shared/pdf/acro-form.js';
import { findField } from '../../../shared/pdf/form-fields.js';
import { IncrementalUpdate, objectBytes } from '../../../shared/pdf/incremental-update.js';
import { loadPdfLazily } from '../../../shared/pdf/lazy-load.js';
import { loadPdf, pageBoxes, pageLookup } from '../../../shared/pdf/pdf-structure.js';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { signCadesDetached } from '../../../shared/pki/cms.js';
import { makeTestPdf } from '../../bench/engine-bench.js';
import { fixture, VALID_FIXTURES } from '../../support/api.js';
import { createTestPki } from '../../support/test-pki.js';
import { runPdfsig } from '../../support/validators.js';

const signTimes = async (pdf: Uint8Array, n: number) => {
  const pki = await createTestPki('ECC_NIST_P256');
  const cert = await pki.issueSigner('Nguyễn Văn An');
  let current = pdf;
  for (let i = 0; i < n; i++) {
    current = (
      await addSignatureRevision({
        pdf: current,
        fieldName: `s${i}`,
        widget: { page: 1, x: 40 + (i % 2) * 260, y: 40 + i * 70, width: 200, height: 60 },
        signerName: 'Nguyễn Văn An',
        signedAt: new Date('2026-11-25T08:00:00Z'),
        sign: (d) => signCadesDetached({ contentDigest: d, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey),
      })
    ).pdf;
  }
  return { pdf: current, pki };
};

describe('loading only what a revision needs', () => {
  it.each(VALID_FIXTURES)('reads every object of %s (and of its signed revisions) exactly as a full parse does', async (name) => {
    for (const pdf of [fixture(name), (await signTimes(fixture(name), 2)).pdf]) {
      const full = (await loadPdf(pdf)).doc.context;
      const lazy = loadPdfLazily(pdf).doc.context;
      let compared = 0;
      for (const [ref, object] of full.enumerateIndirectObjects()) {
        const mine = lazy.lookup(ref as PDFRef);
        if (object instanceof PDFDict && object.get(PDFName.of('Type')) === PDFName.of('ObjStm')) continue;
        expect(mine, `object ${ref.toString()}`).toBeDefined();
        expect(Buffer.from(objectBytes(mine as never)).toString('latin1')).toBe(Buffer.from(objectBytes(object)).toString('latin1'));
        compared++;
      }
      expect(compared).toBeGreaterThan(10);
    }
  });

  it('parses a handful of objects for a 10-signature document, and no earlier signature', async () => {
    const { pdf } = await signTimes(fixture('hop-dong-lao-dong.pdf'), 10);
    const loaded = loadPdfLazily(pdf);
    const update = new IncrementalUpdate(loaded);
    catalogOf(update);
    expect(findField(update, 's9')).toBeDefined();
    expect(pageLookup(loaded.doc)(0)).toBeDefined();
    const parsed = loaded.doc.context.enumerateIndirectObjects();
    expect(parsed.length).toBeLessThan(25);
    expect(parsed.some(([, o]) => o instanceof PDFDict && o.get(PDFName.of('Type')) === PDFName.of('Sig'))).toBe(false);
  });

  it('reads a table whose rows end with a bare newline (19 bytes) exactly as a full parse does', async () => {
    const text = Buffer.from(fixture('hop-dong-lao-dong.pdf')).toString('latin1');
    const xrefAt = text.lastIndexOf('\nxref') + 1;
    // Only the last section is rewritten, and it comes after every object: no offset moves.
    const narrow = text.slice(0, xrefAt) + text.slice(xrefAt).replace(/(\d{10} \d{5} [nf])(?: \r?\n|\r\n)/g, '$1\n');
    expect(narrow.length).toBeLessThan(text.length);
    const pdf = new Uint8Array(Buffer.from(narrow, 'latin1'));
    const full = (await loadPdf(pdf)).doc.context;
    const lazy = loadPdfLazily(pdf).doc.context;
    for (const [ref, object] of full.enumerateIndirectObjects()) {
      expect(Buffer.from(objectBytes(lazy.lookup(ref) as never)).toString('latin1')).toBe(
        Buffer.from(objectBytes(object)).toString('latin1'),
      );
    }
  });

  it('looks past other fields and pages without parsing them: the cost does not grow with their number', async () => {
    const { pdf } = await signTimes(fixture('hop-dong-lao-dong.pdf'), 12);
    const parsedFor = (find: (update: IncrementalUpdate) => unknown) => {
      const loaded = loadPdfLazily(pdf);
      const update = new IncrementalUpdate(loaded);
      catalogOf(update);
      find(update);
      return loaded.doc.context.enumerateIndirectObjects().length;
    };
    const baseline = parsedFor(() => undefined);
    // 12 fields: a name that is not there, and the last one, parse the AcroForm and at most the match.
    expect(parsedFor((u) => expect(findField(u, 'missing')).toBeUndefined())).toBeLessThanOrEqual(baseline + 1);
    expect(parsedFor((u) => expect(findField(u, 's11')).toBeDefined())).toBeLessThanOrEqual(baseline + 2);

    const big = await makeTestPdf(120);
    const loaded = loadPdfLazily(big);
    const last = pageLookup(loaded.doc)(119);
    expect(last?.ref.toString()).toBe(pageBoxes((await loadPdf(big)).doc)[119]?.ref.toString());
    expect(loaded.doc.context.enumerateIndirectObjects().length).toBeLessThan(6);
  });

  it('falls back to a full parse when the cross-reference table lies, and the signature is still valid', async () => {
    const good = fixture('hop-dong-lao-dong.pdf');
    const text = Buffer.from(good).toString('latin1');
    const root = /\/Root (\d+) 0 R/.exec(text)?.[1];
    const xrefAt = text.lastIndexOf('\nxref');
    // Point the catalog's entry at offset 0000000001: a lazy read finds no object there.
    const lines = text.slice(xrefAt).split('\n');
    const first = Number(lines[2]?.split(' ')[0]);
    const entryLine = 3 + Number(root) - first;
    lines[entryLine] = `0000000001${(lines[entryLine] as string).slice(10)}`;
    const broken = new Uint8Array(Buffer.from(text.slice(0, xrefAt) + lines.join('\n'), 'latin1'));
    expect(() => loadPdfLazily(broken)).toThrow();
    const { pdf, pki } = await signTimes(broken, 1);
    expect(runPdfsig(pdf, [pki.rootPem]).signatures.map((s) => s.valid)).toEqual([true]);
  });
});
