import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import type { VerificationReport } from '../../../shared/verify/types.js';
import { verifyPdf } from '../../../shared/verify/verify-pdf.js';
import { fixture, VALID_FIXTURES } from '../../support/api.js';
import { createTestPki } from '../../support/test-pki.js';
import { runPdfsig } from '../../support/validators.js';
import { signedDocument } from './documents.js';
import { appendPage, flipSignedByte } from './tamper.js';

const verify = (pdf: Uint8Array, anchors: Uint8Array[]) => verifyPdf(pdf, { trustAnchors: anchors, now: new Date() });

/** pdfsig's "Signature is Valid" must agree with our integrity verdict, approval signature by approval signature. */
const expectPdfsigAgrees = (pdf: Uint8Array, report: VerificationReport, rootPem: string) => {
  const sig = runPdfsig(pdf, [rootPem]);
  const ours = report.signatures.filter((s) => s.kind !== 'document-timestamp');
  const theirs = sig.signatures.filter((s) => s.subFilter !== 'ETSI.RFC3161' && s.subFilter !== 'unknown');
  expect(theirs.length, sig.output).toBe(ours.length);
  for (const [i, s] of ours.entries()) expect(s.integrity.ok && s.signatureValue.ok, theirs[i]?.raw).toBe(theirs[i]?.valid);
};

describe('verifyPdf on our own documents', () => {
  it.each<[string, number, KeySpec]>([
    ['hop-dong-lao-dong.pdf', 2, 'ECC_NIST_P256'],
    ['hop-dong-dien.pdf', 1, 'RSA_2048'],
    ['hop-dong-lao-dong.objstm.pdf', 3, 'ECC_NIST_P256'],
  ])('%s, %i signer(s), %s: valid at B-LTA, and pdfsig agrees', async (name, n, spec) => {
    const { pki, pdf } = await signedDocument({ name, signers: n, spec });
    const report = await verify(pdf, [pki.root]);
    expect(report.verdict, JSON.stringify(report.reasons)).toBe('valid');
    expect(report.level).toBe('B-LTA');
    expect(report.signatures).toHaveLength(n + 1);
    expect(report.signatures.map((s) => s.kind)).toEqual([...Array(n).fill('approval'), 'document-timestamp']);
    for (const s of report.signatures) {
      expect(s.verdict).toBe('valid');
      expect(s.modifications.disallowed).toEqual([]);
      expect(s.revocation.status).toBe('good');
      expect(s.timestamp?.valid).toBe(true);
    }
    expect(report.signatures[0]?.certificate?.subject).toBe('CN=Người ký 1, O=Kyso Test, C=VN');
    expect(report.signatures[0]?.certificatePath.chain).toHaveLength(3);
    expect(report.signatures[n]?.coverage.coversWholeFile).toBe(true);
    expectPdfsigAgrees(pdf, report, pki.rootPem);
  });

  it('a B-T document (no DSS yet) is B-T and indeterminate for want of revocation data', async () => {
    const { pki, pdf } = await signedDocument({ signers: 1, lta: false });
    const report = await verify(pdf, [pki.root]);
    expect(report.level).toBe('B-T');
    expect(report.verdict).toBe('indeterminate');
    expect(report.reasons).toEqual(['no_revocation_info']);
  });

  it('one byte changed inside a signed range: invalid (integrity), and pdfsig agrees', async () => {
    const { pki, pdf } = await signedDocument({ signers: 2 });
    const tampered = flipSignedByte(pdf);
    const report = await verify(tampered, [pki.root]);
    expect(report.verdict).toBe('invalid');
    for (const s of report.signatures) {
      expect(s.integrity.ok).toBe(false);
      expect(s.reasons).toContain('integrity_failed');
    }
    expectPdfsigAgrees(tampered, report, pki.rootPem);
  });

  it('a page appended after signing: every signature flags the modification and is invalid', async () => {
    const { pki, pdf } = await signedDocument({ signers: 2 });
    const report = await verify(await appendPage(pdf), [pki.root]);
    expect(report.verdict).toBe('invalid');
    expect(report.pages).toBe(3);
    for (const s of report.signatures) {
      expect(s.integrity.ok).toBe(true);
      expect(s.coverage.coversWholeFile).toBe(false);
      expect(s.modifications.disallowed.join('\n')).toMatch(/pages added, removed or reordered \(2 → 3\)/);
      expect(s.reasons).toContain('modified_after_signing');
    }
  });

  it('signed under a root that is not in the trust list: indeterminate', async () => {
    const { pdf } = await signedDocument({ signers: 1 });
    const other = await createTestPki();
    const report = await verify(pdf, [other.root]);
    expect(report.verdict).toBe('indeterminate');
    expect(report.signatures[0]?.reasons).toEqual(['certificate_not_trusted']);
    expect(report.signatures[0]?.certificatePath.detail).toBe('the root certificate is not in the trust list');
    expect(report.signatures[0]?.integrity.ok).toBe(true);
  });

  it('a signer certificate listed on the CRL in the DSS: invalid (revoked)', async () => {
    const { pki, pdf } = await signedDocument({ signers: 2, revoked: true });
    const report = await verify(pdf, [pki.root]);
    expect(report.verdict).toBe('invalid');
    expect(report.signatures[0]?.revocation.status).toBe('revoked');
    expect(report.signatures[0]?.reasons).toEqual(['certificate_revoked']);
    // the second signer's certificate is not on it
    expect(report.signatures[1]?.verdict).toBe('valid');
  });
});

describe('verifyPdf on the fixtures', () => {
  it.each(VALID_FIXTURES)('%s (unsigned): no signatures, indeterminate, pdfsig agrees', async (name) => {
    const pdf = fixture(name);
    const report = await verify(pdf, []);
    expect(report.signatures).toEqual([]);
    expect(report.verdict).toBe('indeterminate');
    expect(report.reasons).toEqual(['no_signatures']);
    expect(runPdfsig(pdf, []).signatures).toHaveLength(0);
  });

  it.each([
    ['encrypted.pdf', 'encrypted_pdf'],
    ['truncated.pdf', 'invalid_pdf'],
    ['not-a-pdf.pdf', 'invalid_pdf'],
  ])('%s → AppError %s', async (name, code) => {
    const error = await verify(fixture(name), []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
    expect((error as AppError).status).toBe(422);
  });
});
