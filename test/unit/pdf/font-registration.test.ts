import { type PDFArray, type PDFDict, PDFName, PDFRef } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { IncrementalUpdate } from '../../../shared/pdf/incremental-update.js';
import { loadPdfLazily } from '../../../shared/pdf/lazy-load.js';
import { FIXED_FONT_RESOURCE, findFixedFont } from '../../../shared/pdf/revision-font.js';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { signCadesDetached } from '../../../shared/pki/cms.js';
import { fixturePdf } from '../../fixtures/fixtures.js';
import { createTestPki } from '../../support/test-pki.js';

const drFont = (pdf: Uint8Array) => {
  const { doc } = loadPdfLazily(pdf);
  const acro = doc.context.lookup(doc.catalog.get(PDFName.of('AcroForm'))) as PDFDict;
  const dr = doc.context.lookup(acro.get(PDFName.of('DR'))) as PDFDict | undefined;
  const fonts = dr && (doc.context.lookup(dr.get(PDFName.of('Font'))) as PDFDict | undefined);
  return fonts?.get(PDFName.of(FIXED_FONT_RESOURCE));
};

const signer = async () => {
  const pki = await createTestPki('ECC_NIST_P256');
  const cert = await pki.issueSigner('Nguyễn Văn An');
  return (pdf: Uint8Array, i: number) =>
    addSignatureRevision({
      pdf,
      fieldName: `s${i}`,
      widget: { page: 1, x: 40, y: 40 + i * 70, width: 200, height: 60 },
      signerName: 'Nguyễn Văn An',
      signedAt: new Date('2026-12-02T08:00:00Z'),
      sign: (d) => signCadesDetached({ contentDigest: d, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey),
    });
};

describe('the first signer of an uncertified file registers the fixed font it wrote', () => {
  it('in AcroForm /DR, where the next signer finds and reuses it (no second font)', async () => {
    const sign = await signer();
    const first = (await sign(fixturePdf('hop-dong-lao-dong.pdf'), 0)).pdf;
    const registered = drFont(first);
    expect(registered).toBeInstanceOf(PDFRef);
    expect(findFixedFont(new IncrementalUpdate(loadPdfLazily(first)))?.ref.toString()).toBe(registered?.toString());
    const second = (await sign(first, 1)).pdf;
    expect(drFont(second)?.toString()).toBe(registered?.toString());
    // The second revision writes no font program of its own.
    expect(Buffer.from(second.subarray(first.length)).toString('latin1')).not.toContain('/FontFile2');
  });

  it('is recognised by comparing its streams where they lie in the file (not parsed), and a changed program is not reused', async () => {
    const signed = await (await signer())(fixturePdf('hop-dong-lao-dong.pdf'), 0);
    const loaded = loadPdfLazily(signed.pdf);
    const font = findFixedFont(new IncrementalUpdate(loaded));
    expect(font).toBeDefined();
    const ctx = loaded.doc.context;
    const descriptor = ctx.lookup(
      (ctx.lookup((ctx.lookup(font?.ref) as PDFDict).get(PDFName.of('DescendantFonts'))) as PDFArray).get(0),
    ) as PDFDict;
    const program = descriptor.get(PDFName.of('FontFile2')) as PDFRef;
    const parsed = (ref: PDFRef) =>
      Map.prototype.has.call((ctx as unknown as { indirectObjects: Map<PDFRef, unknown> }).indirectObjects, ref);
    expect(parsed(program)).toBe(false);

    // One byte of the program changed in place (same length, so every offset still holds): not ours any more.
    const text = Buffer.from(signed.pdf).toString('latin1');
    const at = text.indexOf('stream', text.lastIndexOf('/Length1')) + 'stream\n'.length + 100;
    const tampered = new Uint8Array(signed.pdf);
    tampered[at] = ((tampered[at] as number) + 1) & 0xff;
    expect(findFixedFont(new IncrementalUpdate(loadPdfLazily(tampered)))).toBeUndefined();
  });
});
