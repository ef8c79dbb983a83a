import { describe, expect, it } from 'vitest';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { OID } from '../../../shared/pki/oids.js';
import { createTimestampToken } from '../../../shared/pki/timestamp.js';
import { buildPinnedRevision, embedPinnedSignature } from '../../../shared/signing/pinned-revision.js';
import { fixture } from '../../support/api.js';
import { extractSignatures, parseSignedData } from '../../support/pdf-inspect.js';
import { createTestPki } from '../../support/test-pki.js';
import { qpdfCheck, runPdfsig } from '../../support/validators.js';

describe.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])('a pinned revision signed later (%s)', (spec) => {
  it('keeps its bytes: the signature made outside is embedded without moving a byte, valid in pdfsig, with a timestamp', async () => {
    const pki = await createTestPki(spec);
    const certificate = await pki.issueSigner('Nguyễn Văn An');
    const original = fixture('hop-dong-lao-dong.objstm.pdf');
    const pinned = await buildPinnedRevision({
      pdf: original,
      fieldName: 'kyso-signature-an',
      widget: { page: 1, x: 60, y: 620, width: 200, height: 60 },
      signerName: 'Nguyễn Văn An',
      signedAt: new Date('2026-11-25T08:00:00Z'),
      formValues: [],
      signerCertificate: certificate,
    });
    expect(Buffer.from(pinned.pdf.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
    expect(pinned.signedAttributes[0]).toBe(0x31);

    // "Outside": the token signs the signed attributes.
    const signatureValue = await pki.signerKey.sign(pinned.signedAttributes);
    const input = {
      pinned: pinned.pdf,
      byteRange: pinned.byteRange,
      contentDigest: pinned.contentDigest,
      signedAttributes: pinned.signedAttributes,
      signerCertificate: certificate,
      chain: [pki.ca, pki.root],
      signatureValue,
      algorithm: pki.signerKey.algorithm,
      timestamper: (digest: Uint8Array) => createTimestampToken({ digest, tsa: pki.tsa, clock: { now: () => new Date() } }),
    };
    const signed = await embedPinnedSignature(input);
    expect(signed.length).toBe(pinned.pdf.length);
    const [a, b] = pinned.byteRange;
    expect(Buffer.from(signed.subarray(a, b)).equals(Buffer.from(pinned.pdf.subarray(a, b)))).toBe(true);

    const result = runPdfsig(signed, [pki.rootPem]);
    expect(result.signatures, result.output).toHaveLength(1);
    expect(result.signatures[0]?.valid, result.output).toBe(true);
    expect(result.signatures[0]?.trusted, result.output).toBe(true);
    expect(qpdfCheck(signed).ok).toBe(true);
    const cms = parseSignedData(extractSignatures(signed)[0]?.cms as Uint8Array);
    expect(cms.signerInfos[0]?.unsignedAttrs?.attributes.map((x) => x.type)).toEqual([OID.signatureTimeStamp]);

    // Invariant: bytes that are not the pinned ones are never signed into.
    const other = Uint8Array.from(pinned.pdf);
    other[10] = (other[10] ?? 0) ^ 1;
    await expect(embedPinnedSignature({ ...input, pinned: other })).rejects.toThrow(/does not match its digest/);
  });
});
