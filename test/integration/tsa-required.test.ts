import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toPem } from '../../shared/pki/certificate.js';
import { answerTimestampQuery } from '../../shared/pki/timestamp-response.js';
import type { VerificationReport } from '../../shared/verify/types.js';
import { envelopeJson, fixture } from '../support/api.js';
import { type RunningServer, serverApi, startServer } from '../support/start-server.js';
import { createTestPki } from '../support/test-pki.js';
import { signedDocument } from '../unit/verify/documents.js';

/**
 * A deployment with KYSO_TSA_REQUIRED=external (an outside TSA, here a test TSA that can go
 * down) and KYSO_TRUSTED_ROOTS naming a directory with one DER and one PEM root. It shares
 * the run's local AWS endpoint.
 */
describe('KYSO_TSA_REQUIRED=external and a trusted-roots directory', () => {
  let server: RunningServer;
  let tsa: Server;
  let tsaDown = false;
  let pki: Awaited<ReturnType<typeof createTestPki>>;
  let other: Awaited<ReturnType<typeof signedDocument>>;

  beforeAll(async () => {
    pki = await createTestPki();
    other = await signedDocument({ signers: 1 });
    tsa = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (tsaDown) {
          res.writeHead(503).end('maintenance');
          return;
        }
        const answer = await answerTimestampQuery(new Uint8Array(Buffer.concat(chunks)), pki.tsa, { now: () => new Date() });
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(Buffer.from(answer.response));
      });
    });
    await new Promise<void>((r) => tsa.listen(0, '127.0.0.1', r));
    const roots = join(process.env.KYSO_TEST_TMP ?? tmpdir(), `roots-${Date.now()}`);
    mkdirSync(roots);
    writeFileSync(join(roots, 'tsa-root.der'), pki.root);
    writeFileSync(join(roots, 'other-ca.pem'), other.pki.rootPem);
    writeFileSync(join(roots, 'README.txt'), 'not a certificate: ignored');
    server = await startServer({
      AWS_ENDPOINT_URL: inject('awsEndpoint'),
      KYSO_TSA_REQUIRED: 'external',
      KYSO_TSA_URLS: `http://127.0.0.1:${(tsa.address() as AddressInfo).port}/tsa`,
      KYSO_TSA_TIMEOUT_MS: '2000',
      KYSO_TRUSTED_ROOTS: roots,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await new Promise<void>((r) => tsa?.close(() => r()));
  });

  const api = <T>(method: string, path: string, json?: unknown, auth = true) => serverApi(server)<T>(method, path, json, auth);
  const linkOf = async (email: string) => {
    // Emails leave the request path through the outbox: wait until this server owes nothing (bounded).
    for (let until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      if ((await api<{ owed: number }>('GET', '/dev/outbox', undefined, false)).body.owed === 0) break;
    }
    const mail = (
      await api<{ messages: { to: string; text: string }[] }>('GET', `/dev/mail?to=${encodeURIComponent(email)}`, undefined, false)
    ).body;
    return /\/s\/(\S+)/.exec(mail.messages.filter((m) => m.to === email).at(-1)?.text ?? '')?.[1] as string;
  };

  it('stamps through the external TSA, says so in the audit trail; an outage is 503 with nothing stored', async () => {
    const a = { name: 'Hoàng Thị Mai', email: `mai.${Date.now()}@example.vn` };
    const b = { name: 'Vũ Đức Long', email: `long.${Date.now()}@example.vn` };
    const created = await api<{ id: string; documents: { id: string }[] }>(
      'POST',
      '/v1/envelopes',
      envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: [a, b] }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await api('POST', `/v1/envelopes/${id}/send`)).status).toBe(200);
    const signA = await api('POST', `/v1/sign/${await linkOf(a.email)}`, { signature: { type: 'typed', value: a.name } }, false);
    expect(signA.status, JSON.stringify(signA.body)).toBe(200);

    tsaDown = true;
    const before = await api<{ documents: { sha256: string }[]; recipients: { status: string }[] }>('GET', `/v1/envelopes/${id}`);
    const signB = await api<{ error: { code: string; message: string } }>(
      'POST',
      `/v1/sign/${await linkOf(b.email)}`,
      { signature: { type: 'typed', value: b.name } },
      false,
    );
    expect(signB.status).toBe(503);
    expect(signB.body.error.code).toBe('timestamp_unavailable');
    expect(signB.body.error.message).toMatch(/dấu thời gian/);
    const after = await api<typeof before.body>('GET', `/v1/envelopes/${id}`);
    expect(after.body.documents[0]?.sha256).toBe(before.body.documents[0]?.sha256);
    expect(after.body.recipients.map((r) => r.status)).toEqual(before.body.recipients.map((r) => r.status));
    expect(server.output()).toMatch(/"level":"error".*timestamp unavailable/);
    expect(server.output()).not.toContain(b.email); // the error log names no one
    // Per-request metrics (EMF, functions/metrics.ts): A's signing request added one signature with KMS
    // calls; B's refused one added none and counts as a server error; its error line carries its request id.
    const emf = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const signed = emf.find((m) => m.Signatures === 1);
    expect(signed).toMatchObject({ service: 'kyso-api', status: '200', Requests: 1 });
    expect(signed?.KmsCalls).toBeGreaterThan(0);
    const refused = emf.find((m) => m.status === '503');
    expect(refused).toMatchObject({ ServerErrors: 1 });
    // The dedicated outage metric its alarm watches (infra/constructs/alarms.ts), one per refused signature.
    expect(emf.filter((m) => m.TimestampUnavailable !== undefined)).toEqual([
      expect.objectContaining({ service: 'kyso', TimestampUnavailable: 1 }),
    ]);
    expect(refused).not.toHaveProperty('Signatures');
    const errorLine = server
      .output()
      .split('\n')
      .find((l) => l.includes('"level":"error"') && l.includes('timestamp unavailable'));
    expect(JSON.parse(errorLine ?? '{}')).toMatchObject({ requestId: refused?.requestId });

    tsaDown = false;
    const again = await api('POST', `/v1/sign/${await linkOf(b.email)}`, { signature: { type: 'typed', value: b.name } }, false);
    expect(again.status, JSON.stringify(again.body)).toBe(200);

    const audit = await api<{ events: { action: string; data?: { timestamps?: string[] } }[] }>('GET', `/v1/envelopes/${id}/audit`);
    const stamps = audit.body.events.filter((e) => e.action === 'recipient.signed').map((e) => e.data?.timestamps);
    expect(stamps).toEqual([[expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/tsa$/)], [expect.stringMatching(/\/tsa$/)]]);

    // The TSA's root came from the directory (DER): the report trusts every timestamp.
    const pdf = (await api<Uint8Array>('GET', `/v1/envelopes/${id}/documents/${created.body.documents[0]?.id}`)).body;
    const report = await fetch(`${server.url}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: pdf as Uint8Array<ArrayBuffer>,
    });
    const r = (await report.json()) as VerificationReport;
    const signatures = r.signatures.filter((s) => s.kind !== 'document-timestamp');
    expect(signatures.map((s) => [s.timestamp?.tsa, s.timestamp?.trusted])).toEqual(signatures.map(() => ['Test TSA', true]));
    expect(signatures.map((s) => s.tier)).toEqual(['platform', 'platform-one-time', 'platform-one-time']);
  });

  it('trusts the PEM root from the directory too: a signature under it is a digital signature (licensed CA tier)', async () => {
    const r = await fetch(`${server.url}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: other.pdf as Uint8Array<ArrayBuffer>,
    });
    const report = (await r.json()) as VerificationReport;
    expect(report.verdict, JSON.stringify(report.reasons)).toBe('valid');
    expect(report.signatures[0]?.tier).toBe('licensed-ca');
    expect(report.signatures[0]?.tierText?.vi).toMatch(/^Chữ ký số/);
    expect(report.signatures[0]?.tierText?.en).toMatch(/^Digital signature/);
    expect(toPem(pki.root)).not.toBe(other.pki.rootPem);
  });
});
