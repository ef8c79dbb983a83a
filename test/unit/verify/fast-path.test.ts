import { PDFDict, PDFName } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { loadFastDocument } from '../../../shared/verify/fast-document.js';
import { verifyPdf } from '../../../shared/verify/verify-pdf.js';
import { createTestPki } from '../../support/test-pki.js';
import { signedDocument } from './documents.js';
import { addComment, appendPage, drawOnPage, flipSignedByte } from './tamper.js';

/**
 * Verification's fast path (lazy loading, checked against the object headers; issue 16) must
 * give the very report the full parse gives, for valid files and for every kind of change.
 */
describe('verification: fast path and full parse agree', () => {
  it('valid, revoked, unknown root, tampered, page added, drawn over, commented: the same report both ways', async () => {
    const valid = await signedDocument({ signers: 3 });
    const revoked = await signedDocument({ signers: 2, revoked: true, pki: valid.pki });
    const other = await createTestPki('ECC_NIST_P256');
    const now = new Date();
    const cases: [string, Uint8Array, Uint8Array][] = [
      ['valid', valid.pdf, valid.pki.root],
      ['revoked', revoked.pdf, valid.pki.root],
      ['unknown root', valid.pdf, other.root],
      ['byte flipped', flipSignedByte(valid.pdf), valid.pki.root],
      ['page added', await appendPage(valid.pdf), valid.pki.root],
      ['drawn over', await drawOnPage(valid.pdf), valid.pki.root],
      ['comment added', await addComment(valid.pdf), valid.pki.root],
    ];
    expect(loadFastDocument(valid.pdf)).toBeDefined();
    for (const [label, pdf, root] of cases) {
      const options = { trustAnchors: [root], platformRoot: valid.pki.root, now };
      const fast = await verifyPdf(pdf, options);
      const full = await verifyPdf(pdf, { ...options, fullParse: true });
      expect(fast, label).toEqual(full);
    }
    expect((await verifyPdf(valid.pdf, { trustAnchors: [valid.pki.root], now })).verdict).toBe('valid');
  }, 120_000);

  it('files the fast path does not take: object streams, a forged object header, a hidden #-escaped /ByteRange', async () => {
    const objstm = await signedDocument({ name: 'hop-dong-lao-dong.objstm.pdf', signers: 1 });
    expect(loadFastDocument(objstm.pdf)).toBeUndefined();
    const { pdf, pki } = await signedDocument({ signers: 1 });
    const fast = loadFastDocument(pdf);
    expect(fast).toBeDefined();
    // An object whose last "N 0 obj" is not where the cross-reference table says (here inside the
    // last signature's /Contents, bytes replaced in place): the fast path gives up.
    const text = Buffer.from(pdf).toString('latin1');
    const pages = /\/Pages (\d+) 0 R/.exec(text)?.[1];
    const forged = Buffer.from(pdf);
    forged.write(` ${pages} 0 obj `, text.lastIndexOf('/Contents <') + 40, 'latin1');
    const doc = loadFastDocument(forged);
    expect(() => doc?.doc.getPageCount()).toThrow(/not where the cross-reference puts it/);
    expect(doc?.failed).toBe(true);
    const options = { trustAnchors: [pki.root], now: new Date() };
    expect(await verifyPdf(forged, options)).toEqual(await verifyPdf(forged, { ...options, fullParse: true }));
    // A signature dictionary spelled with #-escapes is still found (pdf-lib decodes names).
    // (same length: two of the padding spaces after the placeholder's "]" make room)
    const escaped = text.replace(/\/ByteRange (\[[^\]]*\]) {2}/, '/Byte#52ange $1');
    expect(escaped).not.toBe(text);
    const bytes = new Uint8Array(Buffer.from(escaped, 'latin1'));
    const found = loadFastDocument(bytes)?.signatureCandidates() ?? [];
    expect(found.filter(([, o]) => o instanceof PDFDict && o.has(PDFName.of('ByteRange')))).toHaveLength(2);
    const report = await verifyPdf(bytes, options);
    expect(report.signatures).toHaveLength(2);
    expect(report).toEqual(await verifyPdf(bytes, { ...options, fullParse: true }));
  }, 120_000);
});
