import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheRevisions } from '../../../shared/envelope/document-cache.js';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { signCadesDetached } from '../../../shared/pki/cms.js';
import { sha256Hex, sha256StateOf } from '../../../shared/util/bytes.js';
import { fixture } from '../../support/api.js';
import { createTestPki } from '../../support/test-pki.js';
import { runPdfsig } from '../../support/validators.js';

/**
 * A revision appended to a file this process signed starts its SHA-256 from where that file's
 * signing left it (shared/pdf/signature-placeholder.ts; the state is kept by shared/util/bytes.ts, rememberSha256State) instead of hashing the
 * whole file again. The digest each signature attests must be the SHA-256 of exactly the bytes its
 * /ByteRange names, whether the state was taken up (the same array) or not (a copy of it, as from S3).
 */
describe('the hash of a file this process signed, taken up by the next revision', () => {
  it('gives every signature of a chain the digest of its ByteRange, from the same array or from a copy', async () => {
    const pki = await createTestPki('ECC_NIST_P256');
    const cert = await pki.issueSigner('Nguyễn Văn An');
    const attested: Uint8Array[] = [];
    const sign = (pdf: Uint8Array, i: number) =>
      addSignatureRevision({
        pdf,
        fieldName: `kyso-signature-${i}`,
        widget: { page: 1, x: 40 + (i % 2) * 260, y: 40 + i * 70, width: 200, height: 60 },
        signerName: 'Nguyễn Văn An',
        signedAt: new Date(),
        sign: (digest) => {
          attested.push(digest);
          return signCadesDetached({ contentDigest: digest, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey);
        },
      });
    const rangeDigest = (signed: { pdf: Uint8Array; byteRange: readonly number[] }) => {
      const [a, b, c, d] = signed.byteRange as [number, number, number, number];
      return new Uint8Array(
        createHash('sha256')
          .update(signed.pdf.subarray(a, a + b))
          .update(signed.pdf.subarray(c, c + d))
          .digest(),
      );
    };
    const first = await sign(fixture('hop-dong-lao-dong.pdf'), 0);
    const second = await sign(first.pdf, 1); // the same array: its hash state is taken up
    const third = await sign(second.pdf, 2); // and again, two revisions deep
    const fromCopy = await sign(new Uint8Array(second.pdf), 2); // a copy: hashed in full
    // Read through the document cache from a store (S3 in another container): hashed once there, then taken up.
    const stored = new Map<string, Uint8Array>([[`tenants/t/envelopes/e/d/${sha256Hex(second.pdf)}.pdf`, new Uint8Array(second.pdf)]]);
    const docs = cacheRevisions({
      put: async () => undefined,
      putNew: async () => false,
      get: async (key) => stored.get(key) as Uint8Array,
    });
    const fetched = await docs.get(`tenants/t/envelopes/e/d/${sha256Hex(second.pdf)}.pdf`);
    expect(sha256StateOf(fetched)).toBeDefined();
    const fromStore = await sign(fetched, 2);
    const results = [first, second, third, fromCopy, fromStore];
    results.forEach((r, i) => {
      expect(Buffer.from(attested[i] as Uint8Array).toString('hex'), `signature ${i}`).toBe(Buffer.from(rangeDigest(r)).toString('hex'));
    });
    // The content address of each signed file (sha256Hex, a copy of the recorded state) is the SHA-256 of its bytes.
    for (const r of results) {
      expect(sha256Hex(r.pdf)).toBe(createHash('sha256').update(r.pdf).digest('hex'));
    }
    // Two revisions built the same way on equal bytes: the same digest, state taken up or not (same time, same field).
    expect(third.byteRange).toEqual(fromCopy.byteRange);
    expect(fromStore.byteRange).toEqual(fromCopy.byteRange);
    expect(runPdfsig(fromStore.pdf, [pki.rootPem]).signatures.map((s) => s.valid)).toEqual([true, true, true]);
    const report = runPdfsig(third.pdf, [pki.rootPem]);
    expect(
      report.signatures.map((s) => s.valid),
      report.output,
    ).toEqual([true, true, true]);
  });
});
