import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fromPem, issueCertificate, toPem } from '../../shared/pki/certificate.js';
import { assembleCades } from '../../shared/pki/cms.js';
import { OID } from '../../shared/pki/oids.js';
import type { InfoResponse, PairResponse, SignResponse } from '../../tools/kyso-agent/protocol.js';
import { startAgent } from '../../tools/kyso-agent/server.js';
import { pkcs12Provider } from '../../tools/kyso-agent/software-provider.js';
import { fixture, uniqueEmail } from '../support/api.js';
import { type CscTestServer, startCscTestServer } from '../support/csc-test-server.js';
import { extractSignatures, parseSignedData } from '../support/pdf-inspect.js';
import { type RunningServer, startServer } from '../support/start-server.js';
import { createTestPki } from '../support/test-pki.js';
import { runPdfsig } from '../support/validators.js';

/**
 * Signing with one's own certificate, end to end over HTTP against the local AWS endpoint:
 * a USB-token signer (PKCS#12 through the reference agent, prepare/complete), a signer at a
 * remote-signing CA (CSC test server, confirmation delayed on the "phone"), and the tenant's
 * seal in KMS with a certificate a CA issued from the seal's CSR. This file runs its own
 * server (same moto) so it can trust the test roots by configuration (KYSO_TRUSTED_ROOTS)
 * and use short signing sessions.
 */
const SESSION_TTL_S = 6;

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

describe('signing with own certificates: USB token, remote-signing CA, organisation seal', () => {
  let server: RunningServer;
  let csc: CscTestServer;
  let agent: Awaited<ReturnType<typeof startAgent>>;
  let dir: string;
  let pairingCode = '';
  let pageOrigin = '';
  let tokenPki: Awaited<ReturnType<typeof createTestPki>>;
  let sealCa: Awaited<ReturnType<typeof createTestPki>>;
  let apiKey: string;

  const api = async <T = Json>(method: string, path: string, json?: unknown, key: string | undefined = apiKey) => {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    const type = r.headers.get('content-type') ?? '';
    const body = type.includes('json') ? await r.json() : type.includes('pdf') ? new Uint8Array(await r.arrayBuffer()) : await r.text();
    return { status: r.status, body: body as T };
  };
  const agentCall = async <T>(path: string, body?: unknown, auth?: string) => {
    const r = await fetch(`${agent.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { origin: pageOrigin, 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return (await r.json()) as T;
  };
  // Emails, the seal and completion's audit events leave the request path (the outbox): wait until this server owes nothing (bounded).
  const drained = async () => {
    // 60 s and a 250 ms pause: on a loaded machine a 20 s bound timed out once, and a 50 ms poll slows moto itself.
    for (let until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      if ((await api<{ owed: number }>('GET', '/dev/outbox', undefined, undefined)).body.owed === 0) return;
    }
    throw new Error('the outbox did not drain in 60 s');
  };
  const linkToken = async (email: string) => {
    await drained();
    const mail = await api<{ messages: { to: string; text: string }[] }>(
      'GET',
      `/dev/mail?to=${encodeURIComponent(email)}`,
      undefined,
      undefined,
    );
    const last = mail.body.messages.filter((m) => m.to === email).at(-1);
    const token = last && /\/s\/([A-Za-z0-9_-]+)/.exec(last.text)?.[1];
    if (!token) throw new Error(`no link for ${email}`);
    return token;
  };
  const auditActions = async (envelopeId: string) => {
    await drained();
    return (await api<{ events: { action: string; data?: Record<string, unknown> }[] }>('GET', `/v1/envelopes/${envelopeId}/audit`)).body
      .events;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kyso-own-cert-'));
    // The "USB token": a PKCS#12 file with the signer's key and chain from a test CA.
    tokenPki = await createTestPki('ECC_NIST_P256');
    const tokenCert = await tokenPki.issueSigner('Nguyễn Văn An');
    writeFileSync(join(dir, 'key.pem'), tokenPki.signerKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    writeFileSync(join(dir, 'chain.pem'), toPem(tokenCert) + tokenPki.caPem + tokenPki.rootPem);
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      join(dir, 'key.pem'),
      '-in',
      join(dir, 'chain.pem'),
      '-out',
      join(dir, 't.p12'),
      '-passout',
      'pass:1234',
    ]);
    csc = await startCscTestServer({ caName: 'SmartCA thử nghiệm' });
    sealCa = await createTestPki('RSA_2048');
    server = await startServer({
      AWS_ENDPOINT_URL: inject('awsEndpoint'),
      KYSO_TRUSTED_ROOTS: tokenPki.rootPem + csc.rootPem + sealCa.rootPem,
      KYSO_SIGNING_SESSION_TTL_SECONDS: String(SESSION_TTL_S),
    });
    pageOrigin = server.url;
    agent = await startAgent(
      {
        provider: await pkcs12Provider(join(dir, 't.p12'), '1234'),
        // The signer page's origin: the service's public address, which a restart (below) does not change.
        allowedOrigins: [pageOrigin],
        showPairingCode: (code) => {
          pairingCode = code;
        },
        confirm: async () => true,
      },
      0,
    );
    const tenant = await api<{ apiKey: string }>('POST', '/admin/tenants', { name: 'Công ty TNHH Thử Nghiệm Ký Số' }, server.adminKey);
    apiKey = tenant.body.apiKey;
  }, 180_000);

  afterAll(async () => {
    await agent?.close();
    await csc?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    const errors = (server?.output() ?? '').split('\n').filter((l) => l.includes('"level":"error"'));
    expect(errors).toEqual([]);
  });

  /** The agent's side, as the signer page drives it: pair once, read the chain, sign the prepared attributes. */
  const agentSession = async () => {
    const { pairingId } = await agentCall<PairResponse>('/v1/pair', {});
    const { pairingToken } = await agentCall<{ pairingToken: string }>('/v1/pair/confirm', { pairingId, code: pairingCode });
    const info = await agentCall<InfoResponse>('/v1/info', undefined, pairingToken);
    const cert = info.certificates[0] as InfoResponse['certificates'][number];
    const sign = async (signedAttributesDer: string) =>
      agentCall<SignResponse>(
        '/v1/sign',
        { certificateId: cert.id, signedAttributesB64: signedAttributesDer, algorithm: 'ECDSA_SHA_256' },
        pairingToken,
      );
    return { chainPem: cert.chainPem, sign };
  };

  const createAndSend = async (recipients: Record<string, unknown>[], extraFields: Record<string, unknown>[] = []) => {
    const env = await api<{ id: string; documents: { id: string }[] }>('POST', '/v1/envelopes', {
      title: 'Hợp đồng lao động (chứng thư số)',
      documents: [{ name: 'hd.pdf', contentBase64: Buffer.from(fixture('hop-dong-lao-dong.pdf')).toString('base64') }],
      recipients,
      fields: [
        ...recipients.map((_, i) => ({
          recipient: i,
          document: 0,
          type: 'signature',
          page: 1,
          x: 40 + (i % 2) * 270,
          y: 600 + Math.floor(i / 2) * 75,
          width: 220,
          height: 60,
        })),
        ...extraFields,
      ],
    });
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    const sent = await api('POST', `/v1/envelopes/${env.body.id}/send`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    return env.body;
  };

  it('seal: CSR signed through KMS, certificate from a CA uploaded and checked', async () => {
    const provisioned = await api('POST', '/v1/seal', { taxCode: '0101234567', organization: 'Công ty TNHH Thử Nghiệm Ký Số' });
    expect([200, 201]).toContain(provisioned.status);

    const csr = await api<string>('GET', '/v1/seal/csr');
    expect(csr.status).toBe(200);
    expect(csr.body).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    writeFileSync(join(dir, 'seal.csr'), csr.body);
    // openssl checks the proof of possession (the CSR's signature by the KMS key) and reads the subject
    const text = execFileSync('openssl', ['req', '-in', join(dir, 'seal.csr'), '-verify', '-noout', '-subject', '-nameopt', 'utf8'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(text).toContain('Công ty TNHH Thử Nghiệm Ký Số');
    expect(text).toContain('MST:0101234567');

    // The test acts as the CA: it issues a certificate for the CSR's key and subject.
    const req = pkijs.CertificationRequest.fromBER(fromPem(csr.body)[0]?.slice().buffer as ArrayBuffer);
    const issue = async (spki: Uint8Array, issuer = sealCa) =>
      issueCertificate({
        subject: {
          commonName: 'Công ty TNHH Thử Nghiệm Ký Số',
          organization: 'Công ty TNHH Thử Nghiệm Ký Số',
          serialNumber: 'MST:0101234567',
          country: 'VN',
        },
        subjectPublicKey: spki,
        profile: 'document-signing',
        serialNumber: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
        notBefore: new Date(Date.now() - 3600_000),
        notAfter: new Date(Date.now() + 365 * 86400_000),
        issuerSigner: issuer.caKey,
        issuerCertificate: issuer.ca,
      });
    const sealSpki = new Uint8Array(req.subjectPublicKeyInfo.toSchema().toBER(false));

    // Refused: a certificate for another key; a chain to an untrusted root.
    const otherKey = await issue(tokenPki.signerKey.publicKeyDer);
    const wrongKey = await api('POST', '/v1/seal/certificate', { certificatesPem: toPem(otherKey) + sealCa.caPem });
    expect(wrongKey.status).toBe(422);
    expect(wrongKey.body.error?.code).toBe('certificate_rejected');
    const rogue = await createTestPki('ECC_NIST_P256');
    const untrusted = await api('POST', '/v1/seal/certificate', {
      certificatesPem: toPem(await issue(sealSpki, rogue)) + rogue.caPem + rogue.rootPem,
    });
    expect(untrusted.status).toBe(422);
    expect(untrusted.body.error?.message).toMatch(/trust|self-signed/);

    const installed = await api<{ status: string; subject: string; chainPem: string }>('POST', '/v1/seal/certificate', {
      certificatesPem: sealCa.caPem + toPem(await issue(sealSpki)),
    });
    expect(installed.status, JSON.stringify(installed.body)).toBe(200);
    expect(installed.body.subject).toBe('Công ty TNHH Thử Nghiệm Ký Số');
    expect(fromPem(installed.body.chainPem)).toHaveLength(2);
    // Re-provisioning the seal (same key) keeps the CA's certificate.
    const again = await api<{ certificatePem: string }>('POST', '/v1/seal', {
      taxCode: '0101234567',
      organization: 'Công ty TNHH Thử Nghiệm Ký Số',
    });
    expect(again.status).toBe(200);
    expect(again.body.certificatePem).toBe((installed.body as unknown as { certificatePem: string }).certificatePem);
  });

  let envelopeId = '';

  it('USB token: prepare, the agent signs, complete; bad signature, wrong key, replay and expiry refused and audited', async () => {
    const an = { name: 'Nguyễn Văn An', email: uniqueEmail('an'), role: 'signer', order: 1 };
    const nhung = { name: 'Phạm Thị Hồng Nhung', email: uniqueEmail('nhung'), role: 'signer', order: 2 };
    const seal = { name: 'Con dấu công ty', role: 'seal', order: 3 };
    const env = await createAndSend(
      [an, nhung, seal],
      [{ recipient: 0, document: 0, type: 'text', page: 1, x: 40, y: 560, width: 200, height: 20, label: 'Số CCCD' }],
    );
    envelopeId = env.id;
    const token = await linkToken(an.email);
    const view = await api<{ fields: { id: string; type: string }[] }>('GET', `/v1/sign/${token}`, undefined, undefined);
    const textField = view.body.fields.find((f) => f.type === 'text')?.id as string;
    const tokenAgent = await agentSession();
    const prepare = () =>
      api<{ sessionId: string; signedAttributesDer: string; digest: { hex: string }; signatureAlgorithm: string; documents: unknown[] }>(
        'POST',
        `/v1/sign/${token}/prepare`,
        { certificateChainPem: tokenAgent.chainPem, fields: { [textField]: '001099012345' } },
        undefined,
      );
    const complete = (sessionId: string, signature: string) =>
      api('POST', `/v1/sign/${token}/complete`, { sessionId, signature }, undefined);

    // A certificate that does not chain to the trust list is refused at prepare.
    const rogue = await createTestPki('ECC_NIST_P256');
    const rogueCert = await rogue.issueSigner('Kẻ Giả Mạo');
    const refused = await api(
      'POST',
      `/v1/sign/${token}/prepare`,
      { certificateChainPem: toPem(rogueCert) + rogue.caPem, fields: { [textField]: '001099012345' } },
      undefined,
    );
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.error?.code).toBe('certificate_rejected');

    const p = await prepare();
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.signatureAlgorithm).toBe('ECDSA_SHA_256');
    expect(p.body.digest.hex).toMatch(/^[0-9a-f]{64}$/);

    // Wrong signature bytes, and a valid signature by another key (mismatched certificate): 422, nothing embedded.
    const garbage = await complete(p.body.sessionId, Buffer.alloc(70, 7).toString('base64'));
    expect(garbage.status).toBe(422);
    expect(garbage.body.error?.code).toBe('signature_invalid');
    const otherKey = Buffer.from(await rogue.signerKey.sign(new Uint8Array(Buffer.from(p.body.signedAttributesDer, 'base64')))).toString(
      'base64',
    );
    const mismatched = await complete(p.body.sessionId, otherKey);
    expect(mismatched.status).toBe(422);
    const untouched = await api<{ recipients: { status: string }[]; documents: { revisions: number }[] }>('GET', `/v1/envelopes/${env.id}`);
    expect(untouched.body.recipients[0]?.status).not.toBe('signed');

    // The real signature, by the token through the agent.
    const signed = await tokenAgent.sign(p.body.signedAttributesDer);
    const ok = await complete(p.body.sessionId, signed.signatureB64);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.status).toBe('signed');

    // Replay: the same session again is refused.
    const replay = await complete(p.body.sessionId, signed.signatureB64);
    expect(replay.status).toBe(409);
    expect(replay.body.error?.code).toBe('signing_session_used');

    const events = await auditActions(env.id);
    const rejected = events.filter((e) => e.action === 'recipient.signature_rejected').map((e) => e.data?.code);
    expect(rejected).toEqual(['certificate_rejected', 'signature_invalid', 'signature_invalid', 'signing_session_used']);
    const signedEvent = events.find((e) => e.action === 'recipient.signed');
    expect(signedEvent?.data?.method).toBe('usb-token');
    expect((signedEvent?.data?.certificate as { subject?: string } | undefined)?.subject).toBe('Nguyễn Văn An');
  });

  it('remote-signing CA: provider down and refusal are clean states; a delayed confirmation completes', async () => {
    const token = await linkToken(
      ((await api<{ recipients: { email: string }[] }>('GET', `/v1/envelopes/${envelopeId}`)).body.recipients[1] as { email: string })
        .email,
    );
    const notConfigured = await api('POST', `/v1/sign/${token}/remote`, { userId: '001099012345' }, undefined);
    expect(notConfigured.status).toBe(409);
    expect(notConfigured.body.error?.code).toBe('remote_signing_not_configured');

    expect((await api('PUT', '/v1/remote-signing', csc.config)).status).toBe(200);
    const shown = await api('GET', '/v1/remote-signing');
    expect(shown.body.clientSecret).toBeUndefined();
    const methods = await api('GET', `/v1/sign/${token}/methods`, undefined, undefined);
    // PUT /v1/remote-signing is the tenant's default provider, listed with the id "default".
    expect(methods.body).toEqual({
      signatureLevel: 'electronic',
      platform: true,
      usbToken: true,
      providers: [{ id: 'default', name: 'SmartCA thử nghiệm' }],
      remote: { ca: 'SmartCA thử nghiệm' },
    });
    await csc.addUser('001099012345', 'Phạm Thị Hồng Nhung');

    csc.behaviour.down = true;
    const down = await api('POST', `/v1/sign/${token}/remote`, { userId: '001099012345' }, undefined);
    expect(down.status).toBe(502);
    expect(down.body.error?.code).toBe('remote_signing_failed');
    csc.behaviour.down = false;

    Object.assign(csc.behaviour, { confirmation: 'refuse' });
    const pendingRefusal = await api<{ status: string; sessionId: string }>(
      'POST',
      `/v1/sign/${token}/remote`,
      { userId: '001099012345' },
      undefined,
    );
    expect(pendingRefusal.status).toBe(202);
    const refused = await api('GET', `/v1/sign/${token}/remote/${pendingRefusal.body.sessionId}`, undefined, undefined);
    expect(refused.status).toBe(422);
    expect(refused.body.error?.code).toBe('remote_signing_refused');

    // Never confirmed: the session's expiry is the timeout.
    Object.assign(csc.behaviour, { confirmation: 'never' });
    const forgotten = await api<{ sessionId: string }>('POST', `/v1/sign/${token}/remote`, { userId: '001099012345' }, undefined);
    expect(forgotten.status).toBe(202);
    await new Promise((r) => setTimeout(r, (SESSION_TTL_S + 1) * 1000));
    const timedOut = await api('GET', `/v1/sign/${token}/remote/${forgotten.body.sessionId}`, undefined, undefined);
    expect(timedOut.status).toBe(410);
    expect(timedOut.body.error?.code).toBe('signing_session_expired');

    Object.assign(csc.behaviour, { confirmation: 'delayed', delayMs: 1500 });
    const started = await api<{ status: string; sessionId: string }>(
      'POST',
      `/v1/sign/${token}/remote`,
      { userId: '001099012345' },
      undefined,
    );
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('pending');
    let polled = await api<{ status: string }>('GET', `/v1/sign/${token}/remote/${started.body.sessionId}`, undefined, undefined);
    for (let i = 0; i < 20 && polled.status === 202; i++) {
      await new Promise((r) => setTimeout(r, 300));
      polled = await api<{ status: string }>('GET', `/v1/sign/${token}/remote/${started.body.sessionId}`, undefined, undefined);
    }
    expect(polled.status, JSON.stringify(polled.body)).toBe(200);
    expect(polled.body.status).toBe('signed');

    const events = await auditActions(envelopeId);
    const actions = events.map((e) => e.action);
    for (const a of [
      'recipient.remote_signing.credential.found',
      'recipient.remote_signing.authorize.requested',
      'recipient.remote_signing.authorize.pending',
      'recipient.remote_signing.authorize.refused',
      'recipient.remote_signing.timed-out',
      'recipient.remote_signing.authorize.confirmed',
      'recipient.remote_signing.signature.received',
    ]) {
      expect(actions, a).toContain(a);
    }
    expect(events.filter((e) => e.action === 'recipient.signed').map((e) => e.data?.method)).toEqual([
      'usb-token',
      'remote-signing:SmartCA thử nghiệm',
      'organisation-seal',
    ]);
  });

  it('the completed document: every signature valid and trusted in pdfsig, each with a signature timestamp', async () => {
    const env = await api<{ status: string; documents: { id: string }[] }>('GET', `/v1/envelopes/${envelopeId}`);
    expect(env.body.status).toBe('completed');
    const pdf = await api<Uint8Array>('GET', `/v1/envelopes/${envelopeId}/documents/${env.body.documents[0]?.id}`);
    const platformRoot = (await api<string>('GET', '/pki/root.pem', undefined, undefined)).body;
    const result = runPdfsig(pdf.body, [platformRoot, tokenPki.rootPem, csc.rootPem, sealCa.rootPem]);
    const cades = result.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    // the certification signature at send (the platform, on the sender's behalf), then An (token), Nhung (remote CA), the seal
    expect(cades, result.output).toHaveLength(4);
    expect(cades[0]?.signerName).toMatch(/via Kyso/);
    expect(cades.slice(1).map((s) => s.signerName)).toEqual(['Nguyễn Văn An', 'Phạm Thị Hồng Nhung', 'Công ty TNHH Thử Nghiệm Ký Số']);
    for (const s of cades) {
      expect(s.valid, s.raw).toBe(true);
      expect(s.trusted, s.raw).toBe(true);
    }
    for (const s of extractSignatures(pdf.body).filter((x) => x.subFilter === 'ETSI.CAdES.detached')) {
      const unsigned = parseSignedData(s.cms).signerInfos[0]?.unsignedAttrs?.attributes.map((a) => a.type) ?? [];
      expect(unsigned).toContain(OID.signatureTimeStamp);
    }
  });

  it('a session expires, and a signer who prepared before another committed gets document_changed', async () => {
    const a = { name: 'Trần Văn Bảy', email: uniqueEmail('bay'), role: 'signer', order: 1 };
    const b = { name: 'Trần Văn Tám', email: uniqueEmail('tam'), role: 'signer', order: 1 };
    const env = await createAndSend([a, b]);
    const [ta, tb] = [await linkToken(a.email), await linkToken(b.email)];
    const tokenAgent = await agentSession();
    const prepare = (t: string) =>
      api<{ sessionId: string; signedAttributesDer: string }>(
        'POST',
        `/v1/sign/${t}/prepare`,
        { certificateChainPem: tokenAgent.chainPem },
        undefined,
      );
    const complete = async (t: string, p: { sessionId: string; signedAttributesDer: string }) =>
      api(
        'POST',
        `/v1/sign/${t}/complete`,
        { sessionId: p.sessionId, signature: (await tokenAgent.sign(p.signedAttributesDer)).signatureB64 },
        undefined,
      );

    const stale = (await prepare(ta)).body;
    await new Promise((r) => setTimeout(r, (SESSION_TTL_S + 1) * 1000));
    const expired = await complete(ta, stale);
    expect(expired.status).toBe(410);
    expect(expired.body.error?.code).toBe('signing_session_expired');

    const pa = (await prepare(ta)).body;
    const pb = (await prepare(tb)).body;
    expect((await complete(ta, pa)).status).toBe(200);
    const changed = await complete(tb, pb);
    expect(changed.status).toBe(409);
    expect(changed.body.error?.code).toBe('document_changed');
    // B prepares again on the new revision and signs.
    expect((await complete(tb, (await prepare(tb)).body)).status).toBe(200);
    const done = await api<{ status: string }>('GET', `/v1/envelopes/${env.id}`);
    expect(done.body.status).toBe('completed');
    const codes = (await auditActions(env.id)).filter((e) => e.action === 'recipient.signature_rejected').map((e) => e.data?.code);
    expect(codes).toEqual(['signing_session_expired', 'document_changed']);
  });
  it('a prepared session survives a restart of the service (it is stored, not in memory), completed with a full CMS', async () => {
    const signer = { name: 'Hoàng Văn Chín', email: uniqueEmail('chin'), role: 'signer', order: 1 };
    const env = await createAndSend([signer]);
    const token = await linkToken(signer.email);
    // The session is prepared by a server whose sessions outlive a restart on a loaded machine (the suite's 6 s would not).
    const restart = async () => {
      await server.stop();
      server = await startServer({
        AWS_ENDPOINT_URL: inject('awsEndpoint'),
        KYSO_TRUSTED_ROOTS: tokenPki.rootPem + csc.rootPem + sealCa.rootPem,
        KYSO_SIGNING_SESSION_TTL_SECONDS: '120',
      });
      return server;
    };
    await restart();
    const tokenAgent = await agentSession();
    const prepared = await api<{ sessionId: string; signedAttributesDer: string }>(
      'POST',
      `/v1/sign/${token}/prepare`,
      { certificateChainPem: tokenAgent.chainPem },
      undefined,
    );
    expect(prepared.status).toBe(200);
    const signature = (await tokenAgent.sign(prepared.body.signedAttributesDer)).signatureB64;
    const before = server;
    await restart();
    // The signer's tool may return a whole CMS instead of the bare value: its signed attributes must be the prepared ones.
    const attrsDer = new Uint8Array(Buffer.from(prepared.body.signedAttributesDer, 'base64'));
    attrsDer[0] = 0xa0;
    const signedAttributes = new pkijs.SignedAndUnsignedAttributes({ type: 0, schema: asn1js.fromBER(attrsDer.slice().buffer).result });
    const chain = fromPem(tokenAgent.chainPem);
    const cms = assembleCades({
      contentDigest: new Uint8Array(32),
      signerCertificate: chain[0] as Uint8Array,
      chain: chain.slice(1),
      signedAttributes,
      signatureValue: new Uint8Array(Buffer.from(signature, 'base64')),
      algorithm: 'ECDSA_SHA_256',
    });
    const done = await api(
      'POST',
      `/v1/sign/${token}/complete`,
      { sessionId: prepared.body.sessionId, cms: Buffer.from(cms).toString('base64') },
      undefined,
    );
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((await api<{ status: string }>('GET', `/v1/envelopes/${env.id}`)).body.status).toBe('completed');
    expect(
      before
        .output()
        .split('\n')
        .filter((l) => l.includes('"level":"error"')),
    ).toEqual([]);
  });
});
