import { describe, expect, it } from 'vitest';
import { verifyPdf } from '../../../shared/verify/verify-pdf.js';
import { signedDocument } from './documents.js';
import { addComment, appendPage, drawOnPage } from './tamper.js';

describe('changes after signing', () => {
  it.each([
    ['hop-dong-lao-dong.pdf', 'xref table'],
    ['hop-dong-lao-dong.objstm.pdf', 'object streams (whole-prefix path)'],
  ])('%s (%s): signing and DSS revisions are allowed changes; drawing, comments and new pages are not', async (name) => {
    const { pki, pdf } = await signedDocument({ name, signers: 2 });
    const anchors = [pki.root];
    const clean = await verifyPdf(pdf, { trustAnchors: anchors, now: new Date() });
    const first = clean.signatures[0];
    // the 2nd signature and the DSS + document timestamp came after the 1st: all allowed
    expect(first?.modifications.disallowed).toEqual([]);
    expect(first?.modifications.allowed.join(' ')).toMatch(/signature dictionary ×2/);
    expect(first?.modifications.allowed.join(' ')).toMatch(/DSS \(validation data\)/);

    const drawn = await verifyPdf(await drawOnPage(pdf), { trustAnchors: anchors, now: new Date() });
    expect(drawn.verdict).toBe('invalid');
    for (const s of drawn.signatures) expect(s.modifications.disallowed).toContain('page 1: /Contents');

    const commented = await verifyPdf(await addComment(pdf), { trustAnchors: anchors, now: new Date() });
    expect(commented.verdict).toBe('invalid');
    for (const s of commented.signatures) expect(s.modifications.disallowed.join('\n')).toMatch(/annotation Text added/);

    const longer = await verifyPdf(await appendPage(pdf), { trustAnchors: anchors, now: new Date() });
    for (const s of longer.signatures) expect(s.modifications.disallowed.join('\n')).toMatch(/pages added, removed or reordered \(2 → 3\)/);
  });

  it('a signature without timestamp, DSS or document timestamp is B-B and indeterminate (no revocation data)', async () => {
    const { pki, pdf } = await signedDocument({ signers: 1, lta: false, timestamps: false });
    const report = await verifyPdf(pdf, { trustAnchors: [pki.root], now: new Date() });
    expect(report.level).toBe('B-B');
    expect(report.signatures[0]?.timestamp).toBeUndefined();
    expect(report.verdict).toBe('indeterminate');
  });
});
