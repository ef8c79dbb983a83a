import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fromPem } from '../../shared/pki/certificate.js';
import { buildSignedAttributes, signedAttributesForSigning } from '../../shared/pki/cms.js';
import type { InfoResponse, PairResponse } from '../../tools/kyso-agent/protocol.js';
import { AGENT_FROM_SOURCE, type AgentProcess, runAgent, startAgentProcess } from '../support/agent-process.js';
import { envelopeJson, fixture, uniqueEmail } from '../support/api.js';
import { createSoftToken, generateTokenKey, importCertificate, type SoftToken, softhsmModule } from '../support/softhsm.js';
import { type RunningServer, serverApi, startServer } from '../support/start-server.js';
import { createTestPki } from '../support/test-pki.js';
import { runPdfsig } from '../support/validators.js';

const MODULE = softhsmModule();
if (!MODULE) console.warn('SKIPPED: SoftHSM2 is not installed (apt-get install softhsm2; .ci/run installs it).');

const PIN = '135790';
type Json = Record<string, unknown> & { error?: { code: string; message: string } };

/**
 * A USB token end to end: SoftHSM2 holds an ECDSA P-256 and an RSA 2048 key generated on it
 * and their certificates (chaining to a test root this server trusts); the agent runs as a
 * person runs it (`npm run agent -- --pkcs11 …`, PIN through its stdin), and two signers of
 * one envelope sign through the signer page's flow: agent /v1/info → Kyso prepare → agent
 * /v1/sign (C_Sign on the token) → Kyso complete. pdfsig then judges the document.
 */
describe.skipIf(!MODULE)('USB token through PKCS#11 (SoftHSM2), prepare/complete, pdfsig', () => {
  const module = MODULE as string;
  let dir: string;
  let token: SoftToken;
  let pki: Awaited<ReturnType<typeof createTestPki>>;
  let server: RunningServer;
  let agent: AgentProcess;
  let apiKey: string;

  /** The test tenant's API key by default; `false` for the signer's calls (the link token is their credential). */
  const api = <T = Json>(method: string, path: string, json?: unknown, auth: string | false = apiKey) =>
    serverApi(server)<T>(method, path, json, auth);
  const agentCall = async <T = Json>(path: string, body?: unknown, pairing?: string) => {
    const r = await fetch(`${agent.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { origin: server.url, 'content-type': 'application/json', ...(pairing ? { authorization: `Bearer ${pairing}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as T };
  };
  const signingLink = async (email: string) => {
    for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      const mail = await api<{ messages: { to: string; text: string }[] }>(
        'GET',
        `/dev/mail?to=${encodeURIComponent(email)}`,
        undefined,
        false,
      );
      const link = /\/s\/([A-Za-z0-9_-]+)/.exec(mail.body.messages.filter((m) => m.to === email).at(-1)?.text ?? '')?.[1];
      if (link) return link;
    }
    throw new Error(`no signing link for ${email}`);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kyso-p11-e2e-'));
    token = createSoftToken(dir, 'Kyso USB token', PIN);
    pki = await createTestPki('ECC_NIST_P256');
    const ec = generateTokenKey(module, token, 'ECC_NIST_P256', Buffer.from([1]));
    const rsa = generateTokenKey(module, token, 'RSA_2048', Buffer.from([2]));
    importCertificate(module, token, await pki.issueSigner('Nguyễn Văn An', ec), 'An', Buffer.from([1]));
    importCertificate(module, token, await pki.issueSigner('Phạm Thị Hồng Nhung', rsa), 'Nhung', Buffer.from([2]));
    importCertificate(module, token, pki.ca, 'Test Issuing CA');
    writeFileSync(join(dir, 'root.pem'), pki.rootPem);
    server = await startServer({ AWS_ENDPOINT_URL: inject('awsEndpoint'), KYSO_TRUSTED_ROOTS: pki.rootPem });
    // --pin-stdin: the PIN comes through a pipe here; a person types it on the agent's terminal.
    agent = await startAgentProcess(
      AGENT_FROM_SOURCE,
      [
        '--pkcs11',
        module,
        '--slot',
        String(token.slotId),
        '--chain',
        join(dir, 'root.pem'),
        '--origin',
        server.url,
        '--yes',
        '--pin-stdin',
      ],
      { env: { SOFTHSM2_CONF: token.conf }, stdin: `${PIN}\n` },
    );
    apiKey = (await api<{ apiKey: string }>('POST', '/admin/tenants', { name: 'Công ty TNHH Token Thử Nghiệm' }, server.adminKey)).body
      .apiKey;
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('two signers sign with the token (ECDSA P-256 and RSA 2048); pdfsig: every signature valid and trusted', async () => {
    expect(agent.output()).toContain(`slot ${token.slotId}: Kyso USB token`);
    expect(agent.output()).not.toContain(PIN);
    const { pairingId } = (await agentCall<PairResponse>('/v1/pair', {})).body;
    const pairing = (await agentCall<{ pairingToken: string }>('/v1/pair/confirm', { pairingId, code: await agent.pairingCode() })).body
      .pairingToken;
    const info = (await agentCall<InfoResponse>('/v1/info', undefined, pairing)).body;
    const subjects = info.certificates.map((c) => c.subject);
    expect(subjects).toHaveLength(2); // the CA certificate on the token has no key: not offered
    expect(subjects.find((x) => x.includes('CN=Nguyễn Văn An'))).toBeDefined();
    expect(subjects.find((x) => x.includes('CN=Phạm Thị Hồng Nhung'))).toBeDefined();

    const an = { name: 'Nguyễn Văn An', email: uniqueEmail('an.token') };
    const nhung = { name: 'Phạm Thị Hồng Nhung', email: uniqueEmail('nhung.token') };
    const created = await api<{ id: string; documents: { id: string }[] }>(
      'POST',
      '/v1/envelopes',
      envelopeJson({ title: 'Hợp đồng lao động (USB token)', pdf: fixture('hop-dong-lao-dong.pdf'), signers: [an, nhung] }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await api('POST', `/v1/envelopes/${created.body.id}/send`)).status).toBe(200);

    for (const [who, algorithm] of [
      [an, 'ECDSA_SHA_256'],
      [nhung, 'RSASSA_PKCS1_V1_5_SHA_256'],
    ] as const) {
      const link = await signingLink(who.email);
      const cert = info.certificates.find((c) => c.subject.includes(`CN=${who.name}`));
      if (!cert) throw new Error(`no certificate for ${who.name}`);
      const prepared = await api<{
        sessionId: string;
        signatureAlgorithm: string;
        documents: { documentId: string; signedAttributesDer: string }[];
      }>('POST', `/v1/sign/${link}/prepare`, { certificateChainPem: cert.chainPem }, false);
      expect(prepared.status, JSON.stringify(prepared.body)).toBe(200);
      expect(prepared.body.signatureAlgorithm).toBe(algorithm);
      const signatures = [];
      for (const d of prepared.body.documents) {
        const signed = await agentCall<{ signatureB64: string }>(
          '/v1/sign',
          { certificateId: cert.id, signedAttributesB64: d.signedAttributesDer, algorithm, document: { title: 'Hợp đồng lao động' } },
          pairing,
        );
        expect(signed.status, JSON.stringify(signed.body)).toBe(200);
        signatures.push({ documentId: d.documentId, signature: signed.body.signatureB64 });
      }
      const completed = await api('POST', `/v1/sign/${link}/complete`, { sessionId: prepared.body.sessionId, signatures }, false);
      expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    }

    const env = await api<{ status: string; documents: { id: string }[] }>('GET', `/v1/envelopes/${created.body.id}`);
    expect(env.body.status).toBe('completed');
    const pdf = await api<Uint8Array>('GET', `/v1/envelopes/${created.body.id}/documents/${env.body.documents[0]?.id}`);
    const platformRoot = Buffer.from((await api<Uint8Array>('GET', '/pki/root.pem', undefined, false)).body).toString('utf8');
    const result = runPdfsig(pdf.body, [platformRoot, pki.rootPem]);
    const cades = result.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(cades, result.output).toHaveLength(3); // the certification signature at send, then An and Nhung
    expect(cades.slice(1).map((s) => s.signerName)).toEqual(['Nguyễn Văn An', 'Phạm Thị Hồng Nhung']);
    for (const s of cades) {
      expect(s.valid, s.raw).toBe(true);
      expect(s.trusted, s.raw).toBe(true);
    }
  });

  it('a wrong PIN stops the agent with pin_incorrect in Vietnamese and English', async () => {
    const args = ['--pkcs11', module, '--slot', String(token.slotId), '--port', '0'];
    const wrong = await runAgent(AGENT_FROM_SOURCE, args, { SOFTHSM2_CONF: token.conf, KYSO_AGENT_PIN: '000000' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('[pin_incorrect]');
    expect(wrong.stderr).toContain('Mã PIN không đúng');
    expect(wrong.stderr).toContain('wrong PIN');
    expect(wrong.stdout).not.toContain('listening');
    expect(wrong.stderr).not.toContain('000000');
  });

  it('the token removed while the agent runs: /v1/sign answers 503 token_removed, in Vietnamese first', async () => {
    const { pairingId } = (await agentCall<PairResponse>('/v1/pair', {})).body;
    const pairing = (await agentCall<{ pairingToken: string }>('/v1/pair/confirm', { pairingId, code: await agent.pairingCode() })).body
      .pairingToken;
    const cert = (await agentCall<InfoResponse>('/v1/info', undefined, pairing)).body.certificates[0];
    expect(cert).toBeDefined();
    execFileSync('softhsm2-util', ['--delete-token', '--token', token.label], {
      env: { ...process.env, SOFTHSM2_CONF: token.conf },
      stdio: 'ignore',
    });
    const attrs = signedAttributesForSigning(
      buildSignedAttributes({
        contentDigest: new Uint8Array(32),
        signerCertificate: fromPem(cert?.chainPem ?? '')[0] as Uint8Array,
        chain: [],
      }),
    );
    const r = await agentCall('/v1/sign', { certificateId: cert?.id, signedAttributesB64: Buffer.from(attrs).toString('base64') }, pairing);
    expect(r.status, JSON.stringify(r.body)).toBe(503);
    expect(r.body.error?.code).toBe('token_removed');
    expect(r.body.error?.message).toMatch(/^USB token đã bị rút ra/);
  });
});
