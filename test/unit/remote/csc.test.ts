import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { buildSignedAttributes, signedAttributesForSigning } from '../../../shared/pki/cms.js';
import { checkSigningCertificate, verifySignatureValue } from '../../../shared/pki/external-signature.js';
import { CscClient } from '../../../shared/remote/csc-client.js';
import { awaitRemoteSignature, type RemoteStep, startRemoteSignature } from '../../../shared/remote/remote-signature.js';
import { type CscTestServer, startCscTestServer } from '../../support/csc-test-server.js';

describe('CSC API v2 client against the CSC test server', () => {
  let csc: CscTestServer;
  let user: { credentialId: string; certificate: Uint8Array };

  beforeAll(async () => {
    csc = await startCscTestServer();
    user = await csc.addUser('001099012345', 'Phạm Thị Hồng Nhung');
  });
  afterAll(() => csc?.close());
  beforeEach(() => {
    Object.assign(csc.behaviour, { confirmation: 'immediate', delayMs: 0, down: false });
  });

  const attrs = (cert: Uint8Array) =>
    signedAttributesForSigning(
      buildSignedAttributes({ contentDigest: createHash('sha256').update('revision').digest(), signerCertificate: cert, chain: [] }),
    );

  it('lists and reads credentials (token, list, info) and signs a hash that verifies against the certificate', async () => {
    const client = new CscClient(csc.config);
    expect(await client.listCredentials('001099012345')).toEqual([user.credentialId]);
    const info = await client.credentialInfo(user.credentialId);
    expect(info.chain).toHaveLength(3);
    expect(
      checkSigningCertificate({
        certificate: info.chain[0] as Uint8Array,
        chain: info.chain.slice(1),
        trustAnchors: [csc.root],
        at: new Date(),
      }),
    ).toHaveLength(3);
    const signedAttributes = attrs(user.certificate);
    const steps: RemoteStep[] = [];
    const out = await startRemoteSignature({
      client,
      credentialId: user.credentialId,
      signedAttributes,
      algorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
      description: 'Hợp đồng',
      onStep: (s) => {
        steps.push(s);
      },
    });
    expect(out.state).toBe('signed');
    if (out.state === 'signed') expect(verifySignatureValue(user.certificate, signedAttributes, out.signature)).toBeTruthy();
    expect(steps).toEqual(['authorize.requested', 'authorize.confirmed', 'signature.received']);
  });

  it('waits for a delayed confirmation on the phone, polling authorizeCheck', async () => {
    Object.assign(csc.behaviour, { confirmation: 'delayed', delayMs: 300 });
    const steps: RemoteStep[] = [];
    const out = await awaitRemoteSignature(
      {
        client: new CscClient(csc.config),
        credentialId: user.credentialId,
        signedAttributes: attrs(user.certificate),
        algorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
        description: 'Hợp đồng',
        onStep: (s) => {
          steps.push(s);
        },
      },
      { intervalMs: 100, timeoutMs: 5000 },
    );
    expect(out.state).toBe('signed');
    expect(steps).toEqual(['authorize.requested', 'authorize.pending', 'authorize.confirmed', 'signature.received']);
    expect(csc.log.filter((p) => p.endsWith('authorizeCheck')).length).toBeGreaterThanOrEqual(2);
  });

  it('reports a refusal, a confirmation that never comes (timeout), and a provider that is down', async () => {
    const input = {
      client: new CscClient(csc.config),
      credentialId: user.credentialId,
      signedAttributes: attrs(user.certificate),
      algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' as const,
      description: 'Hợp đồng',
    };
    Object.assign(csc.behaviour, { confirmation: 'refuse' });
    expect((await awaitRemoteSignature(input, { intervalMs: 20, timeoutMs: 2000 })).state).toBe('refused');
    Object.assign(csc.behaviour, { confirmation: 'never' });
    expect((await awaitRemoteSignature(input, { intervalMs: 50, timeoutMs: 300 })).state).toBe('timed-out');
    Object.assign(csc.behaviour, { down: true });
    const err = await startRemoteSignature({ ...input, client: new CscClient(csc.config) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('remote_signing_failed');
  });

  it('fails cleanly on a wrong client secret and on an unreachable provider', async () => {
    const bad = new CscClient({ ...csc.config, clientSecret: 'nope' });
    await expect(bad.listCredentials('x')).rejects.toMatchObject({ code: 'remote_signing_failed' });
    const gone = new CscClient({ ...csc.config, baseUrl: 'http://127.0.0.1:9' }, { timeoutMs: 500 });
    await expect(gone.listCredentials('x')).rejects.toMatchObject({ code: 'remote_signing_failed', message: /unreachable|timed out/ });
  });

  it('never reflects the provider’s error text to the caller', async () => {
    const leaky = (async () =>
      new Response(JSON.stringify({ error: 'server_error', error_description: 'db at 10.0.0.5 password=hunter2' }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      })) as unknown as typeof fetch;
    const client = new CscClient(csc.config, { fetch: leaky });
    const err = (await client.listCredentials('x').catch((e) => e)) as AppError;
    expect(err.code).toBe('remote_signing_failed');
    expect(`${err.message} ${JSON.stringify(err.details ?? {})}`).not.toMatch(/10\.0\.0\.5|hunter2|server_error/);
  });
});
