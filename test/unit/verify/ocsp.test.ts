import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { signatureAlgorithmIdentifier } from '../../../shared/pki/algorithms.js';
import { parseCertificate } from '../../../shared/pki/certificate.js';
import type { KeySigner } from '../../../shared/pki/key-signer.js';
import { sha256, toArrayBuffer } from '../../../shared/util/bytes.js';
import { checkRevocation } from '../../../shared/verify/check-revocation.js';
import { createTestPki } from '../../support/test-pki.js';

const ab = (b: Uint8Array) => toArrayBuffer(b);

/** An RFC 6960 OCSPResponse about `cert`, signed by `signer` (the issuer's key, or not). */
const ocspResponse = async (cert: Uint8Array, issuer: Uint8Array, signer: KeySigner, revokedAt?: Date): Promise<Uint8Array> => {
  const c = parseCertificate(cert);
  const i = parseCertificate(issuer);
  const certID = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1', algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: ab(sha256(new Uint8Array(i.subject.toSchema().toBER(false)))) }),
    issuerKeyHash: new asn1js.OctetString({
      valueHex: ab(sha256(new Uint8Array(i.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView))),
    }),
    serialNumber: c.serialNumber,
  });
  const certStatus = revokedAt
    ? new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.GeneralizedTime({ valueDate: revokedAt })] })
    : new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
  const data = new pkijs.ResponseData({
    responderID: i.subject,
    producedAt: new Date(),
    responses: [new pkijs.SingleResponse({ certID, certStatus, thisUpdate: new Date() })],
  });
  const tbs = new Uint8Array(data.toSchema(true).toBER(false));
  data.tbsView = tbs; // pkijs re-encodes from this when the response is serialised
  const basic = new pkijs.BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: signatureAlgorithmIdentifier(signer.algorithm),
    signature: new asn1js.BitString({ valueHex: ab(await signer.sign(tbs)) }),
  });
  const response = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: 0 }),
    responseBytes: new pkijs.ResponseBytes({
      responseType: '1.3.6.1.5.5.7.48.1.1',
      response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
    }),
  });
  return new Uint8Array(response.toSchema().toBER(false));
};

describe('OCSP responses as revocation data', () => {
  it('good, revoked, and signed by the wrong key', async () => {
    const pki = await createTestPki();
    const leaf = await pki.issueSigner('Trần Văn Bình');
    const chain = [leaf, pki.ca, pki.root].map((d) => new X509Certificate(Buffer.from(d)));
    const now = new Date();
    const caGood = await ocspResponse(pki.ca, pki.root, pki.rootKey);
    const data = (leafResponse: Uint8Array) => ({ dssCrls: [], cmsCrls: [], dssOcsps: [leafResponse, caGood], cmsOcsps: [] });

    const good = checkRevocation(chain, data(await ocspResponse(leaf, pki.ca, pki.caKey)), now);
    expect(good).toMatchObject({ status: 'good', source: 'dss', ocspResponses: 2, ocspChecked: 2, crlsChecked: 0 });

    const revoked = checkRevocation(chain, data(await ocspResponse(leaf, pki.ca, pki.caKey, new Date(now.getTime() - 60_000))), now);
    expect(revoked.status).toBe('revoked');
    // revoked only after the trusted signing time: still good at that time
    const later = checkRevocation(chain, data(await ocspResponse(leaf, pki.ca, pki.caKey, new Date(now.getTime() + 60_000))), now);
    expect(later.status).toBe('good');

    const forged = checkRevocation(chain, data(await ocspResponse(leaf, pki.ca, pki.signerKey)), now);
    expect(forged.status).toBe('unknown');
  });
});
