import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../shared/pki/certificate.js';
import { OID } from '../../shared/pki/oids.js';
import { parseTimestampToken } from '../../shared/pki/timestamp.js';
import { answerTimestampQuery } from '../../shared/pki/timestamp-response.js';
import { call, createTenant, envelopeJson, fixture, latestLinkToken, uniqueEmail } from '../support/api.js';
import { extractSignatures, parseSignedData } from '../support/pdf-inspect.js';
import { createTestPki } from '../support/test-pki.js';

/** The CN of the TSA that issued each signature's timestamp, in signature order. */
const timestampIssuers = (pdf: Uint8Array): string[] =>
  extractSignatures(pdf)
    .filter((s) => s.subFilter === 'ETSI.CAdES.detached')
    .map((s) => {
      const si = parseSignedData(s.cms).signerInfos[0];
      const attr = si?.unsignedAttrs?.attributes.find((a) => a.type === OID.signatureTimeStamp);
      const value = attr?.values[0] as asn1js.BaseBlock | undefined;
      if (!value) throw new Error('signature without a signature-time-stamp');
      const token = new Uint8Array(value.toBER(false));
      const info = parseTimestampToken(token);
      const tsaCert = info.certificates.map(parseCertificate).find((c) => c.extensions?.some((x) => x.extnID === OID.extKeyUsage));
      return tsaCert?.subject.typesAndValues.find((t) => t.type === OID.commonName)?.value.valueBlock.value as string;
    });

describe('external TSAs, tried in order, with fallback to the platform TSA', () => {
  let external: Server;
  let externalUrl = '';
  let requests = 0;
  const downUrl = 'http://127.0.0.1:9/tsa'; // discard port: nothing listens

  beforeAll(async () => {
    const pki = await createTestPki();
    external = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        requests++;
        const answer = await answerTimestampQuery(new Uint8Array(Buffer.concat(chunks)), pki.tsa, { now: () => new Date() });
        res.writeHead(answer.status === 'granted' ? 200 : 400, { 'content-type': 'application/timestamp-reply' });
        res.end(Buffer.from(answer.response));
      });
    });
    await new Promise<void>((r) => external.listen(0, '127.0.0.1', r));
    externalUrl = `http://127.0.0.1:${(external.address() as AddressInfo).port}/tsa`;
  });
  afterAll(() => new Promise<void>((r) => external.close(() => r())));

  const signOnce = async (apiKey: string) => {
    const email = uniqueEmail('tsa');
    const created = await call<{ id: string; documents: { id: string }[] }>('POST', '/v1/envelopes', {
      key: apiKey,
      json: envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: [{ name: 'Bùi Thị Lan', email }] }),
    });
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key: apiKey });
    expect(
      (await call('POST', `/v1/sign/${await latestLinkToken(email)}`, { json: { signature: { type: 'typed', value: 'Bùi Thị Lan' } } }))
        .status,
    ).toBe(200);
    return (await call<Uint8Array>('GET', `/v1/envelopes/${created.body.id}/documents/${created.body.documents[0]?.id}`, { key: apiKey }))
      .body;
  };

  it('uses the tenant’s TSA after a dead one, and the platform TSA when all are down', async () => {
    const tenant = await createTenant('Công ty Dấu Thời Gian');
    const set = await call<{ tsaUrls: string[] }>('PUT', '/v1/settings', { key: tenant.apiKey, json: { tsaUrls: [downUrl, externalUrl] } });
    expect(set.status).toBe(200);
    expect((await call<{ tsaUrls: string[] }>('GET', '/v1/settings', { key: tenant.apiKey })).body.tsaUrls).toEqual([downUrl, externalUrl]);

    const before = requests;
    const viaExternal = await signOnce(tenant.apiKey);
    // certification at send + the signer's signature, both stamped by the external TSA
    expect(timestampIssuers(viaExternal)).toEqual(['Test TSA', 'Test TSA']);
    expect(requests - before).toBeGreaterThanOrEqual(2);

    await call('PUT', '/v1/settings', { key: tenant.apiKey, json: { tsaUrls: [downUrl] } });
    const viaPlatform = await signOnce(tenant.apiKey);
    expect(timestampIssuers(viaPlatform)).toEqual(['Kyso Time-Stamping Authority 1', 'Kyso Time-Stamping Authority 1']);
  });

  it('rejects settings that are not http(s) URLs', async () => {
    const tenant = await createTenant('Công ty Sai Cấu Hình');
    const r = await call<{ error: { code: string } }>('PUT', '/v1/settings', {
      key: tenant.apiKey,
      json: { tsaUrls: ['ftp://tsa.example.vn'] },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
  });
});
