import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps, AppEnv } from '../../../functions/api/context.js';
import { errorResponse } from '../../../functions/api/errors.js';
import { pkiRoutes } from '../../../functions/api/routes/pki.js';
import { tsaRoutes } from '../../../functions/api/routes/tsa.js';
import { silentLogger } from '../../../functions/logger.js';
import { toPem } from '../../../shared/pki/certificate.js';
import { PlatformPki } from '../../../shared/pki/platform-pki.js';
import { encodeTimestampRequest, parseTimestampRequest, parseTimestampResponse, requestTimestamp } from '../../../shared/pki/timestamp.js';
import { sha256 } from '../../../shared/util/bytes.js';
import { softwareSigner } from '../../support/software-signer.js';
import { inTempDir, openssl } from './openssl.js';
import { createTestHierarchy, fixedClock, type TestHierarchy } from './pki-fixture.js';

const QUERY = 'application/timestamp-query';
const digest = sha256('contract');

/** The TSA and CRL routes as the API mounts them, over software keys. */
const buildApp = (h: TestHierarchy) => {
  const clock = fixedClock('2026-03-01T08:30:00Z');
  const pki = new PlatformPki({
    issuingCa: h.issuing,
    signingKey: softwareSigner(),
    rootCa: h.root,
    tsa: { signer: h.tsa.signer, certificate: h.tsa.certificate },
    material: { rootCertificate: h.rootCertificate, issuingCertificate: h.issuingCertificate },
    clock,
    publicUrl: 'https://kyso.test',
  });
  const deps = { pki: async () => pki, clock, logger: silentLogger } as unknown as AppDeps;
  const app = new Hono<AppEnv>();
  app.route('/tsa', tsaRoutes(deps));
  app.route('/pki', pkiRoutes(deps));
  app.onError((err, c) => errorResponse(err, c, silentLogger));
  return app;
};

const post = (app: Hono<AppEnv>, body: Uint8Array | string, type = QUERY) =>
  app.request('/tsa', { method: 'POST', headers: { 'content-type': type }, body: body as BodyInit });

describe.each(['ECC_NIST_P256', 'RSA_2048'] as const)('POST /tsa and GET /pki/crl (%s)', (spec) => {
  let h: TestHierarchy;
  let app: Hono<AppEnv>;
  beforeAll(async () => {
    h = await createTestHierarchy(spec);
    app = buildApp(h);
  });

  it('answers an openssl query with a timestamp-reply openssl verifies', async () => {
    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'data.txt'), 'labour contract');
      writeFileSync(join(dir, 'root.pem'), toPem(h.rootCertificate));
      expect(openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-cert', '-out', 'q.tsq'], dir).ok).toBe(true);
      const res = await post(app, new Uint8Array(readFileSync(join(dir, 'q.tsq'))));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
      writeFileSync(join(dir, 'r.tsr'), new Uint8Array(await res.arrayBuffer()));
      expect(openssl(['ts', '-verify', '-in', 'r.tsr', '-data', 'data.txt', '-CAfile', 'root.pem'], dir).output).toContain(
        'Verification: OK',
      );
    });
  });

  it('accepts a content type with parameters', async () => {
    const res = await post(app, encodeTimestampRequest({ hashAlgorithm: 'SHA-256', hashedMessage: digest }), `${QUERY}; charset=binary`);
    expect(res.status).toBe(200);
  });

  it('refuses another content type with 415', async () => {
    const res = await post(app, encodeTimestampRequest({ hashAlgorithm: 'SHA-256', hashedMessage: digest }), 'application/octet-stream');
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('answers bytes that are not DER with a JSON 400', async () => {
    const res = await post(app, 'definitely not a TimeStampReq');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_timestamp_request' } });
  });

  it('answers an unknown hash algorithm with 400 and an RFC 3161 rejection (badAlg)', async () => {
    const sha1Query = Buffer.from(`30260201013021300906052b0e03021a05000414${'11'.repeat(20)}`, 'hex');
    const res = await post(app, new Uint8Array(sha1Query));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
    const reply = parseTimestampResponse(new Uint8Array(await res.arrayBuffer()));
    expect(reply.status).toBe(2);
    expect(reply.failInfo).toEqual(Uint8Array.of(0x80));
  });

  it('refuses a body over 10 KB with 413', async () => {
    const res = await post(app, new Uint8Array(11 * 1024));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it.each(['root-ca', 'issuing-ca'] as const)('serves the %s CRL as DER that openssl verifies', async (ca) => {
    const res = await app.request(`/pki/crl/${ca}.crl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pkix-crl');
    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'x.crl'), new Uint8Array(await res.arrayBuffer()));
      writeFileSync(join(dir, 'ca.pem'), toPem(ca === 'root-ca' ? h.rootCertificate : h.issuingCertificate));
      expect(openssl(['crl', '-inform', 'DER', '-in', 'x.crl', '-CAfile', 'ca.pem', '-noout'], dir).output).toContain('verify OK');
    });
  });

  it('404s an unknown CRL', async () => {
    expect((await app.request('/pki/crl/platform-signing.crl')).status).toBe(404);
  });

  describe('requestTimestamp (client for external TSAs), against this route', () => {
    const via = (handler: (req: Request) => Response | Promise<Response>) =>
      ((input: RequestInfo | URL, init?: RequestInit) => handler(new Request(input, init))) as typeof fetch;

    it('returns the token for our digest', async () => {
      const { token, info } = await requestTimestamp('https://kyso.test/tsa', digest, { fetch: via((r) => app.fetch(r)) });
      expect(info.hashedMessage).toEqual(digest);
      expect(info.certificates[0]).toEqual(h.tsa.certificate);
      expect(token.length).toBeGreaterThan(500);
    });

    it('rejects a token for another digest', async () => {
      // A TSA that stamps something else than it was asked for.
      const confused = via(async (r) => {
        const asked = parseTimestampRequest(new Uint8Array(await r.arrayBuffer()));
        const body = encodeTimestampRequest({ ...asked, hashedMessage: sha256('another contract') });
        return app.fetch(new Request('https://kyso.test/tsa', { method: 'POST', headers: r.headers, body: body as BodyInit }));
      });
      await expect(requestTimestamp('https://tsa.example/', digest, { fetch: confused })).rejects.toMatchObject({
        code: 'timestamp_authority_failed',
        message: expect.stringMatching(/different message imprint/),
      });
    });

    it('reports a rejection, an HTTP error and a timeout as timestamp_authority_failed', async () => {
      await expect(
        requestTimestamp('https://tsa.example/', digest, { fetch: via(() => new Response('no', { status: 503 })) }),
      ).rejects.toMatchObject({
        code: 'timestamp_authority_failed',
        message: expect.stringMatching(/HTTP 503/),
      });
      const never = ((_: unknown, init?: RequestInit) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof fetch;
      await expect(requestTimestamp('https://tsa.example/', digest, { fetch: never, timeoutMs: 50 })).rejects.toMatchObject({
        message: expect.stringMatching(/timed out/),
      });
      const rejecting = via(() => new Response(Buffer.from('30053003020102', 'hex'), { status: 200 }));
      await expect(requestTimestamp('https://tsa.example/', digest, { fetch: rejecting })).rejects.toMatchObject({
        message: expect.stringMatching(/refused with status 2/),
      });
    });
  });
});
