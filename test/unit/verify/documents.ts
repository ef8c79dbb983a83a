import { addLtvRevision, embeddedCertificates } from '../../../shared/pdf/ltv-revision.js';
import { addSignatureRevision } from '../../../shared/pdf/sign-revision.js';
import { parseCertificate } from '../../../shared/pki/certificate.js';
import { signCadesDetached, type Timestamper } from '../../../shared/pki/cms.js';
import { createCrl } from '../../../shared/pki/crl.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { createTimestampToken } from '../../../shared/pki/timestamp.js';
import { fixturePdf } from '../../fixtures/fixtures.js';
import { createTestPki } from '../../support/test-pki.js';

// Not test/support/api.js: that imports vitest, and npm run bench uses this too.
const fixture = fixturePdf;

export type TestPki = Awaited<ReturnType<typeof createTestPki>>;

/** Signs a fixture `n` times (B-T each) with a test PKI and, unless `lta` is false, adds DSS + document timestamp (B-LTA). */
export const signedDocument = async (opts: {
  name?: string;
  signers?: number;
  spec?: KeySpec;
  lta?: boolean;
  pki?: TestPki;
  revoked?: boolean;
  timestamps?: boolean;
}) => {
  const pki = opts.pki ?? (await createTestPki(opts.spec ?? 'ECC_NIST_P256'));
  const clock = { now: () => new Date() };
  const timestamper: Timestamper = (digest) => createTimestampToken({ digest, tsa: pki.tsa, clock });
  let pdf: Uint8Array = fixture(opts.name ?? 'hop-dong-lao-dong.pdf');
  const signerCerts: Uint8Array[] = [];
  for (let i = 0; i < (opts.signers ?? 2); i++) {
    const cert = await pki.issueSigner(`Người ký ${i + 1}`);
    signerCerts.push(cert);
    pdf = (
      await addSignatureRevision({
        pdf,
        fieldName: `sig-${i}`,
        widget: { page: 1, x: 40 + (i % 2) * 260, y: 500 + Math.floor(i / 2) * 62, width: 220, height: 56 },
        signerName: `Người ký ${i + 1}`,
        signedAt: new Date(),
        sign: (digest) =>
          signCadesDetached(
            { contentDigest: digest, signerCertificate: cert, chain: [pki.ca, pki.root] },
            pki.signerKey,
            opts.timestamps === false ? undefined : timestamper,
          ),
      })
    ).pdf;
  }
  if (opts.lta === false) return { pki, pdf, signerCerts };
  const serialOf = (der: Uint8Array) => {
    return new Uint8Array(parseCertificate(der).serialNumber.valueBlock.valueHexView);
  };
  const revoked =
    opts.revoked && signerCerts[0] ? [{ serialNumber: serialOf(signerCerts[0]), revocationDate: new Date(Date.now() - 3600_000) }] : [];
  const crls = [
    await createCrl({ caCertificate: pki.root, caSigner: pki.rootKey, thisUpdate: new Date(), crlNumber: 1n }),
    await createCrl({ caCertificate: pki.ca, caSigner: pki.caKey, thisUpdate: new Date(), crlNumber: 1n, revoked }),
  ];
  pdf = await addLtvRevision({ pdf, certificates: await embeddedCertificates(pdf), crls, timestamper });
  return { pki, pdf, signerCerts };
};
