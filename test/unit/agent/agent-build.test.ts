import { verify } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgent } from '../../../scripts/agent-build.js';
import { fromPem } from '../../../shared/pki/certificate.js';
import { buildSignedAttributes, signedAttributesForSigning } from '../../../shared/pki/cms.js';
import type { InfoResponse, PairResponse, SignResponse } from '../../../tools/kyso-agent/protocol.js';
import { runAgent, startAgentProcess } from '../../support/agent-process.js';
import { createSoftToken, generateTokenKey, importCertificate, softhsmModule } from '../../support/softhsm.js';
import { createTestPki } from '../../support/test-pki.js';

const MODULE = softhsmModule();

/**
 * `npm run agent:build`: the single executable (Node SEA) starts, says its version, and, with
 * pkcs11.node beside it (a SEA blob cannot hold a native addon), signs on a SoftHSM2 token.
 * The one slow test of the agent: the build copies and patches the ~120 MB Node binary
 * (about 30 s wall on a loaded CI machine), so it runs once here, with a generous timeout.
 */
describe('kyso-agent single executable (npm run agent:build)', () => {
  let dir: string;
  let built: Awaited<ReturnType<typeof buildAgent>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kyso-agent-build-'));
    built = await buildAgent(join(dir, 'dist'));
  }, 240_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts and prints its version and help without Node or node_modules around it', async () => {
    const version = await runAgent([built.executable], ['--version'], { NODE_PATH: '', PATH: '/usr/bin:/bin' });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^kyso-agent \d+\.\d+\.\d+ \(node 22\.\d+\.\d+, linux-/);
    const help = await runAgent([built.executable], ['--help']);
    expect(help.stdout).toContain('--pkcs11');
    expect(help.stdout).toContain('never by the web page');
    expect(built.addon).toBeDefined();
  });

  it.skipIf(!MODULE)('signs on a SoftHSM2 token through pkcs11.node beside it; without the file, pkcs11_unavailable', async () => {
    const module = MODULE as string;
    const token = createSoftToken(join(dir, 'hsm'), 'SEA token', '1357');
    const pki = await createTestPki('ECC_NIST_P256');
    const spki = generateTokenKey(module, token, 'ECC_NIST_P256', Buffer.from([7]));
    importCertificate(module, token, await pki.issueSigner('Lê Thị Thu', spki), 'Thu', Buffer.from([7]));
    const agent = await startAgentProcess(
      [built.executable],
      ['--pkcs11', module, '--origin', 'https://kyso.test', '--yes', '--pin-stdin'],
      { env: { SOFTHSM2_CONF: token.conf }, stdin: '1357\n' },
    );
    try {
      const call = async <T>(path: string, body?: unknown, pairing?: string) =>
        (await (
          await fetch(`${agent.url}${path}`, {
            method: body ? 'POST' : 'GET',
            headers: {
              origin: 'https://kyso.test',
              'content-type': 'application/json',
              ...(pairing ? { authorization: `Bearer ${pairing}` } : {}),
            },
            ...(body ? { body: JSON.stringify(body) } : {}),
          })
        ).json()) as T;
      const { pairingId } = await call<PairResponse>('/v1/pair', {});
      const { pairingToken } = await call<{ pairingToken: string }>('/v1/pair/confirm', { pairingId, code: await agent.pairingCode() });
      const cert = (await call<InfoResponse>('/v1/info', undefined, pairingToken)).certificates[0];
      expect(cert?.subject).toContain('CN=Lê Thị Thu');
      const leaf = fromPem(cert?.chainPem ?? '')[0] as Uint8Array;
      const attrs = signedAttributesForSigning(
        buildSignedAttributes({ contentDigest: new Uint8Array(32).fill(9), signerCertificate: leaf, chain: [] }),
      );
      const signed = await call<SignResponse>(
        '/v1/sign',
        { certificateId: cert?.id, signedAttributesB64: Buffer.from(attrs).toString('base64'), algorithm: 'ECDSA_SHA_256' },
        pairingToken,
      );
      expect(
        verify('sha256', attrs, { key: Buffer.from(spki), format: 'der', type: 'spki' }, Buffer.from(signed.signatureB64, 'base64')),
      ).toBe(true);
    } finally {
      await agent.stop();
    }

    renameSync(built.addon as string, `${built.addon}.away`);
    const without = await runAgent([built.executable], ['--pkcs11', module, '--port', '0'], {
      SOFTHSM2_CONF: token.conf,
      KYSO_AGENT_PIN: '1357',
    });
    renameSync(`${built.addon}.away`, built.addon as string);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('[pkcs11_unavailable]');
  });
});
