import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '../../../shared/pki/certificate.js';
import { buildSignedAttributes, signedAttributesForSigning } from '../../../shared/pki/cms.js';
import { checkSigningCertificate, verifySignatureValue } from '../../../shared/pki/external-signature.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import type { InfoResponse, PairResponse, SignResponse } from '../../../tools/kyso-agent/protocol.js';
import { type SignPrompt, startAgent } from '../../../tools/kyso-agent/server.js';
import { pemProvider, pkcs12Provider } from '../../../tools/kyso-agent/software-provider.js';
import { createTestPki } from '../../support/test-pki.js';

const ORIGIN = 'https://kyso.test';

/** A "USB token": the signer's key and chain as a PKCS#12 file made by openssl (PBES2, OpenSSL 3's default). */
const makeToken = async (spec: KeySpec, dir: string) => {
  const pki = await createTestPki(spec);
  const certificate = await pki.issueSigner('Nguyễn Văn An');
  const keyPem = pki.signerKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  writeFileSync(join(dir, 'key.pem'), keyPem);
  writeFileSync(join(dir, 'chain.pem'), toPem(certificate) + pki.caPem + pki.rootPem);
  execFileSync('openssl', [
    'pkcs12',
    '-export',
    '-inkey',
    join(dir, 'key.pem'),
    '-in',
    join(dir, 'chain.pem'),
    '-out',
    join(dir, 'token.p12'),
    '-passout',
    'pass:123456',
  ]);
  return { pki, certificate };
};

describe.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])('kyso-agent with a PKCS#12 file (%s)', (spec) => {
  let dir: string;
  let token: Awaited<ReturnType<typeof makeToken>>;
  let agent: Awaited<ReturnType<typeof startAgent>>;
  let lastCode = '';
  let approve = true;
  const prompts: SignPrompt[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kyso-agent-'));
    token = await makeToken(spec, dir);
    agent = await startAgent(
      {
        provider: await pkcs12Provider(join(dir, 'token.p12'), '123456'),
        allowedOrigins: [ORIGIN],
        showPairingCode: (code) => {
          lastCode = code;
        },
        confirm: async (p) => {
          prompts.push(p);
          return approve;
        },
      },
      0,
    );
  });
  afterAll(async () => {
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${agent.url}${path}`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  const pair = async () => {
    const { pairingId } = (await (await post('/v1/pair', {})).json()) as PairResponse;
    const r = await post('/v1/pair/confirm', { pairingId, code: lastCode });
    expect(r.status).toBe(200);
    return ((await r.json()) as { pairingToken: string }).pairingToken;
  };

  it('pairs with a code shown only on the agent, lists the chain, and signs signed attributes that verify', async () => {
    const before = (await (await fetch(`${agent.url}/v1/info`, { headers: { origin: ORIGIN } })).json()) as InfoResponse;
    expect(before.paired).toBe(false);
    expect(before.certificates).toEqual([]);

    const pairingToken = await pair();
    const auth = { authorization: `Bearer ${pairingToken}` };
    const infoRes = await fetch(`${agent.url}/v1/info`, { headers: { origin: ORIGIN, ...auth } });
    expect(infoRes.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const info = (await infoRes.json()) as InfoResponse;
    expect(info.paired).toBe(true);
    const [cert] = info.certificates;
    expect(cert?.subject).toContain('Nguyễn Văn An');
    expect(cert?.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);

    const attrs = signedAttributesForSigning(
      buildSignedAttributes({
        contentDigest: createHash('sha256').update('pdf').digest(),
        signerCertificate: token.certificate,
        chain: [],
      }),
    );
    const r = await post(
      '/v1/sign',
      {
        certificateId: cert?.id,
        signedAttributesB64: Buffer.from(attrs).toString('base64'),
        algorithm: spec === 'ECC_NIST_P256' ? 'ECDSA_SHA_256' : 'RSASSA_PKCS1_V1_5_SHA_256',
        document: { title: 'Hợp đồng lao động' },
      },
      auth,
    );
    expect(r.status).toBe(200);
    const signed = (await r.json()) as SignResponse;
    const value = verifySignatureValue(token.certificate, attrs, new Uint8Array(Buffer.from(signed.signatureB64, 'base64')));
    expect(value.length).toBeGreaterThan(0);
    expect(prompts.at(-1)?.title).toBe('Hợp đồng lao động');
    expect(prompts.at(-1)?.messageDigest).toBe(createHash('sha256').update('pdf').digest('hex'));
    // the certificate chains to the test root
    const path = checkSigningCertificate({
      certificate: token.certificate,
      chain: [token.pki.ca],
      trustAnchors: [token.pki.root],
      at: new Date(),
    });
    expect(path).toHaveLength(3);
  });

  it('refuses other origins, other hosts, unpaired callers, wrong codes, non-CMS data and declined prompts', async () => {
    const evil = await fetch(`${agent.url}/v1/info`, { headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${agent.url}/v1/sign`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(preflight.status).toBe(403);

    const unpaired = await post('/v1/sign', { certificateId: 'x', signedAttributesB64: 'MQA=' });
    expect(unpaired.status).toBe(401);

    const { pairingId } = (await (await post('/v1/pair', {})).json()) as PairResponse;
    const wrong = lastCode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) expect((await post('/v1/pair/confirm', { pairingId, code: wrong })).status).toBe(403);
    // three wrong tries burn the pairing request, even with the right code afterwards
    expect((await post('/v1/pair/confirm', { pairingId, code: lastCode })).status).toBe(403);

    const auth = { authorization: `Bearer ${await pair()}` };
    // a token paired for one origin is useless from another origin
    const otherOrigin = await fetch(`${agent.url}/v1/info`, { headers: { ...auth } });
    expect(((await otherOrigin.json()) as InfoResponse).paired).toBe(false);

    const info = (await (await fetch(`${agent.url}/v1/info`, { headers: { origin: ORIGIN, ...auth } })).json()) as InfoResponse;
    const id = info.certificates[0]?.id;
    const notCms = await post(
      '/v1/sign',
      { certificateId: id, signedAttributesB64: Buffer.from('login challenge').toString('base64') },
      auth,
    );
    expect(notCms.status).toBe(400);

    approve = false;
    const attrs = signedAttributesForSigning(
      buildSignedAttributes({ contentDigest: new Uint8Array(32), signerCertificate: token.certificate, chain: [] }),
    );
    const declined = await post('/v1/sign', { certificateId: id, signedAttributesB64: Buffer.from(attrs).toString('base64') }, auth);
    expect(declined.status).toBe(403);
    expect(((await declined.json()) as { error: { code: string } }).error.code).toBe('declined');
    approve = true;

    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example
    const rebinding = await new Promise<number>((resolve) => {
      import('node:http').then(({ request }) => {
        const req = request(
          { host: '127.0.0.1', port: agent.port, path: '/v1/info', headers: { host: `evil.example:${agent.port}` } },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.end();
      });
    });
    expect(rebinding).toBe(403);
  });

  it('opens the same key from PEM files, and refuses a wrong PKCS#12 password', async () => {
    const fromPem = await pemProvider(join(dir, 'key.pem'), join(dir, 'chain.pem'));
    const [entry] = await fromPem.list();
    expect(entry?.chain).toHaveLength(3);
    await expect(pkcs12Provider(join(dir, 'token.p12'), 'wrong')).rejects.toThrow(/cannot open/);
  });
});
